# Stand-in for the websocket feature's contract, used until modules/stack/websocket.tf
# defines these locals. Delete this file when merging.
locals {
  ws_management_endpoint = "https://standin.execute-api.eu-west-1.amazonaws.com/live"
  ws_manage_connections = {
    actions   = ["execute-api:ManageConnections"]
    resources = ["arn:${data.aws_partition.current.partition}:execute-api:*:*:standin/live/POST/@connections/*"]
  }
  ws_url = "wss://standin.execute-api.eu-west-1.amazonaws.com/live"
}
