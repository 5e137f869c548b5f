"""The MongoDB source: change streams -> Kafka records."""
