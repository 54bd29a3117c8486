def notification(title, message, kind="success", sticky=False, close=False):
    """The web client's notification, as a button's answer.

    :param kind: ``success``, ``info``, ``warning`` or ``danger``
    :param close: the answer of a window's button: the window closes
    """
    params = {"title": title, "message": message, "type": kind, "sticky": sticky}
    if close:
        params["next"] = {"type": "ir.actions.act_window_close"}
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": params,
    }
