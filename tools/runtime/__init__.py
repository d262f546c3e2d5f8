"""The local runtime: serves the stack Terraform deployed on the emulator on 127.0.0.1.

One asyncio process (``python -m tools.runtime``) with one port for HTTP and
WebSocket. Its parts are named after what they emulate:

- ``config``            reads the wiring from the emulator (never a second copy)
- ``functions``         runs functions from lambda_src in worker processes (``worker``)
- ``http_gateway``      API Gateway HTTP API: payload 2.0, JWT authorizer, CORS
- ``websocket_gateway`` API Gateway WebSocket API and its ``@connections`` API
- ``cognito``           the Cognito custom-auth flow with the pool's trigger functions
- ``mailbox``           mail sent through SES, readable at ``/_local/mail``
- ``lambda_service``    the Lambda Invoke API for functions that invoke functions
- ``queues``            SQS event source mappings (pollers)
- ``scheduler``         EventBridge Scheduler schedules
- ``server``            the one aiohttp application and its background tasks
- ``daemon``            start/stop of the background process for `make up` / `make down`

docs/local.md describes it. Importing this package imports nothing else: the
worker processes start from it.
"""
