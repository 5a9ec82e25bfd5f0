"""The simulated site: a YAML site model, replayed telemetry and an HTTP gateway.

`model` reads the site, `replay` and `synthetic` produce its telemetry, `store`
keeps its state, audit log and clock in SQLite, `commands` checks commands,
`service` answers requests, `gateway` serves them over HTTP and `server` runs
the gateway (in the foreground, or in a thread with `InProcessGateway`).
"""
