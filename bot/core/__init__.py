"""The neutral model every part shares: inbound events, outbound messages and forms, the Platform
port, the services a flow is given, the words buttons and commands use, the message builders and
the pure streak rules. It imports nothing above it: no flow, no adapter."""
