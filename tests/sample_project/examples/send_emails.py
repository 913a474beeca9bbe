"""Example: send welcome emails in the background with tinyqueue."""

from tinyqueue import Queue

queue = Queue("emails.db", max_retries=3)


@queue.task
def send_welcome(address: str) -> None:
    """Pretend to send an email; raise to see retries with backoff."""
    print(f"sending welcome email to {address}")


if __name__ == "__main__":
    for user in ["ada@example.com", "grace@example.com"]:
        send_welcome.delay(user)
    print("queued; now run: tinyqueue worker emails.db")
