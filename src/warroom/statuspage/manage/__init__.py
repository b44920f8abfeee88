"""Statuspage's manage API v1 (``/v1/pages/{page_id}/...``) on warroom's own
status page: scripts written for api.statuspage.io work with the host
changed. Every call goes through the status page's services, so the public
page, the feeds, subscribers and the audit log behave as for warroom's API."""
