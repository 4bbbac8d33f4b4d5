"""The app's screens: launcher, dashboard (live and replay), help, dialogs."""
