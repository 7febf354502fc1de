"""The Qt widgets of Coze Desktop: the main window, its panels and dialogs.

Widgets here import QtWidgets freely; they reach the network only through ``workers``
and the history only through ``store``. ``app.py`` builds and wires them.
"""
