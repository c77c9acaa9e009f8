package dev.gannet.server.config;

/** Request log lines as plain text or one JSON object per line ({@code log_format}). */
public enum LogFormat { TEXT, JSON }
