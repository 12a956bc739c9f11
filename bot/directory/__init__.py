"""The directory: people, user groups and channel members synced from a platform or imported from
a CSV, so HR can name a campaign's leaders before any of them has spoken to the bot."""
