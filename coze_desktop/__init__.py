"""Coze Desktop: a desktop client for Coze (扣子) bots."""

__version__ = "0.1.0"
APP_NAME = "Coze Desktop"
APP_ID = "coze-desktop"
