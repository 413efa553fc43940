"""Names governance's services share (a leaf: it imports nothing), so that no service imports another for them."""

# The notification category of every governance mail and in-app notification.
CATEGORY = "governance"
# Reminder kinds: one row per meeting (its steps) and one per open action item.
MEETING_KIND = "governance.meeting"
ACTION_KIND = "governance.action_item"
