"""Chart wording (zh-CN and English): titles, axes and legends of the report charts.

Keys start with ``plot.``.
"""

from __future__ import annotations

#: Chinese wording, by key.
ZH: dict[str, str] = {
    "plot.volume": "工单量趋势",
    "plot.count": "数量",
    "plot.attainment": "SLA 达成率趋势",
    "plot.actual": "实际",
    "plot.target": "目标",
    "plot.priorities": "按优先级分布",
    "plot.availability": "各服务可用性",
    "plot.indicator": "指标趋势",
    "plot.hours": "小时",
}

#: English wording, by key (the same keys as :data:`ZH`).
EN: dict[str, str] = {
    "plot.volume": "Ticket volume",
    "plot.count": "Count",
    "plot.attainment": "SLA attainment trend",
    "plot.actual": "Actual",
    "plot.target": "Target",
    "plot.priorities": "Tickets by priority",
    "plot.availability": "Availability by service",
    "plot.indicator": "Indicator trend",
    "plot.hours": "Hours",
}
