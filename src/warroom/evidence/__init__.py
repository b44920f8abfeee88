"""The evidence locker: items, their content and their chain of custody."""
