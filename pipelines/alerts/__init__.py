"""Alert delivery: subscriptions, composition, channels, the Atom feed and the retrying deliverer."""
