"""Notifications: an in-app list per user, mailed to verified addresses unless unsubscribed."""
