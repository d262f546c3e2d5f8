# Stand-ins for the WebSocket feature's contract, used by schedules.tf until
# modules/stack/websocket.tf defines them. Delete this file at merge.

locals {
  ws_management_endpoint = "https://standin.execute-api.us-east-1.amazonaws.com/live"
  ws_manage_connections = {
    actions   = ["execute-api:ManageConnections"]
    resources = ["arn:${data.aws_partition.current.partition}:execute-api:*:*:standin/live/POST/@connections/*"]
  }
}
