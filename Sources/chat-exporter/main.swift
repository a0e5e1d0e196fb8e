print("chat-exporter")
