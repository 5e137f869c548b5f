"""The MongoDB sink: Kafka records -> MongoDB bulk writes."""
