"""What a client's data export holds: every table with rows of the client, each with the path from its rows to
the client organization. ``tests/test_sections.py`` fails when a model of the project is neither here nor in
``LEFT_OUT`` with its reason, so a new model cannot be forgotten silently."""

from dataclasses import dataclass

# Field names never exported, whatever table they are in: credentials and signing secrets.
SECRET_FIELD_PARTS = ("password", "secret", "token", "hash", "nonce")


@dataclass(frozen=True)
class Section:
    name: str  # the file name in the archive: <name>.json and <name>.csv
    model: str  # app_label.ModelName
    path: str  # lookup from the model to the client organization
    exclude: tuple[str, ...] = ()


SECTIONS = (
    Section("organization", "accounts.Organization", "pk"),
    Section("client_profile", "engagements.ClientProfile", "organization"),
    Section("billing_records", "engagements.BillingRecord", "profile__organization"),
    Section("people", "accounts.User", "organization", exclude=("last_login", "is_superuser")),
    Section("invitations", "accounts.Invitation", "organization"),
    Section("engagements", "engagements.Engagement", "client"),
    Section("engagement_members", "engagements.EngagementMember", "engagement__client"),
    Section("handoffs", "engagements.Handoff", "engagement__client"),
    Section("stakeholders", "engagements.Stakeholder", "engagement__client"),
    Section("promises", "engagements.Promise", "engagement__client"),
    Section("milestones", "engagements.Milestone", "engagement__client"),
    Section("integrations", "engagements.Integration", "engagement__client"),
    Section("resource_links", "engagements.ResourceLink", "engagement__client"),
    Section("checklist_stages", "checklists.ChecklistStage", "engagement__client"),
    Section("checklist_items", "checklists.ChecklistItem", "stage__engagement__client"),
    Section("item_dependencies", "checklists.ItemDependency", "engagement__client"),
    Section("plan_forecasts", "checklists.PlanForecast", "engagement__client"),
    Section("item_comments", "checklists.ItemComment", "item__stage__engagement__client"),
    Section("item_history", "checklists.ItemEvent", "item__stage__engagement__client"),
    Section("stage_actuals", "checklists.StageActual", "stage__engagement__client"),
    Section("acceptances", "checklists.StageAcceptance", "engagement__client"),
    Section("satisfaction_scores", "checklists.SatisfactionScore", "engagement__client"),
    Section("governance_plans", "governance.GovernancePlan", "engagement__client"),
    Section("meeting_series", "governance.MeetingSeries", "engagement__client"),
    Section("series_participants", "governance.SeriesParticipant", "series__engagement__client"),
    Section("series_agenda_sections", "governance.SeriesAgendaSection", "series__engagement__client"),
    Section("meetings", "governance.Meeting", "engagement__client"),
    Section("meeting_attendees", "governance.MeetingAttendee", "meeting__engagement__client"),
    Section("agenda_items", "governance.AgendaItem", "meeting__engagement__client"),
    Section("outcomes", "governance.Outcome", "engagement__client"),
    Section("minutes_versions", "governance.MinutesVersion", "meeting__engagement__client"),
    Section("minutes_acknowledgements", "governance.MinutesAcknowledgement", "version__meeting__engagement__client"),
    Section("minutes_comments", "governance.MinutesComment", "meeting__engagement__client"),
    Section("calendar_feeds", "governance.CalendarFeed", "engagement__client"),
    Section("red_flags", "escalations.RedFlag", "engagement__client"),
    Section("red_flag_timeline", "escalations.FlagEvent", "flag__engagement__client"),
    Section("escalations", "escalations.Escalation", "flag__engagement__client"),
    Section("red_flag_pauses", "escalations.FlagPause", "flag__engagement__client"),
    Section("red_flag_followers", "escalations.FlagFollower", "flag__engagement__client"),
    Section("red_flag_attachments", "escalations.FlagAttachment", "flag__engagement__client"),
    Section("red_flag_action_steps", "escalations.ActionStep", "flag__engagement__client"),
    Section("coverage", "escalations.EngagementCoverage", "engagement__client"),
    Section("contract_targets", "escalations.ContractTarget", "engagement__client"),
    Section("quality_reports", "quality.QualityReport", "engagement__client"),
    Section("quality_report_corrections", "quality.QualityReportCorrection", "report__engagement__client"),
    Section("documents", "documents.Document", "engagement__client"),
    Section("document_versions", "documents.DocumentVersion", "document__engagement__client"),
    Section("document_acknowledgements", "documents.DocumentAcknowledgement", "version__document__engagement__client"),
    Section("decision_receipts", "receipts.Receipt", "engagement__client"),
    Section("webhook_endpoints", "webhooks.Endpoint", "organization", exclude=("previous_secret_until",)),
    Section("webhook_events", "webhooks.Event", "organization"),
    Section("crm_accounts", "api.CrmAccount", "organization"),
    Section("crm_deals", "api.CrmDeal", "engagement__client"),
    Section("crm_deal_changes", "api.CrmDealChange", "deal__engagement__client"),
)

# Models without rows of one client (configuration, infrastructure), or whose rows are exported another way.
LEFT_OUT = {
    "accounts.EmailChange": "a pending sign-in change: a credential, not the client's record",
    "accounts.StaffAbsence": "the vendor's own staff",
    "attachments.Attachment": "exported as the files of the rows that refer to them (files/)",
    "checklists.ChecklistTemplate": "configuration",
    "checklists.TemplateStage": "configuration",
    "checklists.TemplateItem": "configuration",
    "checklists.TemplateItemDependency": "configuration",
    "engagements.EngagementFigures": "figures computed from the exported rows",
    "governance.CadenceTemplate": "configuration",
    "governance.AgendaSectionTemplate": "configuration",
    "governance.ActionItem": "a proxy of Outcome (outcomes)",
    "escalations.BusinessCalendar": "configuration",
    "escalations.WorkingWindow": "configuration",
    "escalations.Holiday": "configuration",
    "escalations.EscalationPath": "configuration",
    "escalations.EscalationLevel": "configuration",
    "escalations.LevelTarget": "configuration",
    "escalations.PathText": "configuration",
    "escalations.OnCallRota": "the vendor's own staff",
    "escalations.OnCallShift": "the vendor's own staff",
    "escalations.OnCallOverride": "the vendor's own staff",
    "notifications.Notification": "messages to people, kept for delivery only",
    "notifications.NotificationPreference": "a person's settings",
    "notifications.DigestSetting": "a person's settings",
    "notifications.Reminder": "timers",
    "notifications.NotificationFanout": "infrastructure",
    "webhooks.Delivery": "delivery attempts of the events exported in webhook_events",
    "api.ApiToken": "credentials",
    "api.IdempotentRequest": "infrastructure",
    "api.CrmSettings": "configuration",
    "api.CrmReceipt": "raw CRM payloads, redacted and removed after 30 days",
    "client_data.ClientDataExport": "this export itself",
}

PROJECT_APPS = (
    "accounts",
    "attachments",
    "engagements",
    "checklists",
    "governance",
    "escalations",
    "quality",
    "documents",
    "notifications",
    "webhooks",
    "api",
    "receipts",
    "client_data",
)
