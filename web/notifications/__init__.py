"""Notifications on the site (the list, preferences, unsubscribe) and in email."""
