"""Campaigns for HR admins: validation, audience, lifecycle, preview, YAML import and export."""
