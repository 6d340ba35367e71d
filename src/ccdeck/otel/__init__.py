"""OpenTelemetry intake: Claude Code's OTLP/HTTP logs and metrics (JSON or protobuf) become sessions and responses."""
