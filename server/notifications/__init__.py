"""Telling people what happened to what they said: notifications in the app and by email."""
