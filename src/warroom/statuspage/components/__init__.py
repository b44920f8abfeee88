"""Components: the parts of the service the public sees, their statuses
and the uptime history those statuses make."""
