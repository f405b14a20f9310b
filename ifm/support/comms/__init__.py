"""Communications: message templates with merge fields, sends to organizations' users as a
job, email preferences with a one-click unsubscribe, and in-app announcements (docs/support.md)."""
