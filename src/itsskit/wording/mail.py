"""E-mail wording (zh-CN and English): the subject and body a report is sent with.

Keys start with ``mail.``.
"""

from __future__ import annotations

#: Chinese wording, by key.
ZH: dict[str, str] = {
    "mail.subject": "【服务报告】{title}（{period}，第 {version} 版）",
    "mail.body": (
        "您好：\n\n附件为《{title}》（服务期间 {period}，第 {version} 版），请查阅。\n"
        "附件：{files}\n\n如有疑问，请与我们联系。\n\n{department}\n"
    ),
}

#: English wording, by key (the same keys as :data:`ZH`).
EN: dict[str, str] = {
    "mail.subject": "Service report: {title} ({period}, version {version})",
    "mail.body": (
        "Hello,\n\nPlease find attached the {title} (service period {period}, "
        "version {version}).\nAttachments: {files}\n\nDo not hesitate to contact us with "
        "any question.\n\n{department}\n"
    ),
}
