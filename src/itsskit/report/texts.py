"""All report wording (zh-CN and English) and the one place numbers become text.

:class:`Texts` is built for one language; sections call ``texts("key", n=3)``
for a phrase and :meth:`Texts.percent`, :meth:`Texts.duration`,
:meth:`Texts.count` ... for numbers, so docx, HTML, Markdown and JSON show
exactly the same text. Chinese wording follows what a Chinese service manager
writes in an ITSS service report (一、报告基本信息 ...).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo

import attrs

from itsskit.models import LANGUAGES

__all__ = ["LANGUAGES", "NOT_APPLICABLE", "TEXTS", "Texts"]

#: The report languages.

#: Chinese wording, by key.
ZH: dict[str, str] = {
    # section titles
    "title.basic": "一、报告基本信息",
    "title.summary": "二、服务结果综述",
    "title.indicators": "三、服务级别指标达成情况",
    "title.work": "四、主要服务工作",
    "title.targets": "五、服务级别目标执行情况",
    "title.nonconformities": "六、不符合项与问题",
    "title.workload": "七、工作量与资源使用",
    "title.major": "八、重大事件与变更回顾",
    "title.trends": "九、趋势分析",
    "title.satisfaction": "十、满意度分析",
    "title.improvements": "十一、服务改进措施",
    "title.plan": "十二、下阶段工作计划",
    "title.quality": "附录：数据质量说明",
    "title.plugin_error": "附加章节生成失败",
    # basic information
    "basic.item": "项目",
    "basic.content": "内容",
    "basic.title": "报告名称",
    "basic.purpose": "报告目的",
    "basic.scope": "服务范围",
    "basic.audience": "报告对象",
    "basic.author": "报告编制人",
    "basic.department": "编制部门",
    "basic.period": "服务周期",
    "basic.report_date": "报告日期",
    "basic.customer": "客户名称",
    "basic.project": "项目名称",
    "basic.manager": "项目经理",
    "basic.sla": "服务级别协议版本",
    "basic.data_sources": "数据来源",
    "basic.distribution": "分发范围",
    "basic.approval": "审批要求",
    "basic.sla_terms": "服务级别协议要点",
    "basic.effective": "协议有效期",
    "basic.effective_range": "{start} 起至 {end}",
    "basic.open_end": "长期有效",
    "basic.service_hours": "服务时间",
    "basic.report_content": "约定报告内容",
    "basic.responsibilities": "双方职责",
    "basic.risks": "风险及应对",
    "basic.interfaces": "服务接口",
    "basic.purpose_default": "向客户汇报本期服务级别协议（SLA）的执行情况、服务工作内容、存在的问题及改进计划。",
    "basic.period_range": "{start} 至 {end}",
    "basic.sla_version": "{sla} 第 {version} 版",
    # summary
    "summary.tickets": "本期共受理工单 {opened} 单（事件 {incidents} 单、服务请求 {requests} 单），"
    "解决 {resolved} 单，期末未解决 {backlog} 单。",
    "summary.attainment": "SLA 达成率为 {value}（目标 {target}），{verdict}。",
    "summary.attainment_na": "本期无可计量的 SLA 工单。",
    "summary.met": "达到协议要求",
    "summary.missed": "未达到协议要求",
    "summary.metrics": "响应及时率 {response}，解决及时率 {resolution}。",
    "summary.availability": "服务可用性为 {value}（目标 {target}），发生故障 {failures} 次。",
    "summary.major": "本期发生重大事件 {count} 起，详见第八部分。",
    "summary.no_major": "本期未发生重大事件。",
    "summary.satisfaction": "客户满意度平均 {mean} 分（满分 5 分），满意率 {share}。",
    "summary.abnormal": "未达标指标：{names}，原因分析与改进措施见第三部分。",
    "summary.all_normal": "各项服务级别指标均达到协议要求。",
    "summary.manager": "项目经理综述：{text}",
    # indicators
    "ind.name": "指标",
    "ind.standard": "约定标准",
    "ind.actual": "实际值",
    "ind.status": "状态",
    "ind.remarks": "备注",
    "ind.normal": "正常",
    "ind.abnormal": "异常",
    "ind.none": "—",
    "ind.response_attainment": "响应及时率",
    "ind.resolution_attainment": "解决及时率",
    "ind.turnaround_attainment": "服务请求按时完成率",
    "ind.sla_attainment": "SLA 达成率",
    "ind.availability": "服务可用性",
    "ind.failure_count": "故障次数",
    "ind.longest_failure_seconds": "最长单次故障时长",
    "ind.mttr_seconds": "平均故障修复时间（MTTR）",
    "ind.satisfaction_mean": "客户满意度（平均分）",
    "ind.satisfied_share": "客户满意率",
    "ind.callback_coverage": "事件回访率",
    "ind.remark_tickets": "达标 {met} / {total} 单",
    "ind.remark_availability": "故障 {failures} 次，停机 {downtime}",
    "ind.remark_answers": "有效答卷 {count} 份",
    "ind.remark_callback": "已回访 {done} / {total} 单",
    "unit.times": "{n} 次",
    "unit.points": "{value} 个百分点",
    "list.remark_sep": "；",
    "ind.remark_open": "另有 {count} 单在途已超时",
    "ind.remark_at_risk": "接近目标值",
    "ind.cause_heading": "{name}（{actual}，约定标准 {standard}）",
    "ind.intro": "本期共考核 {count} 项服务级别指标，其中异常 {abnormal} 项；异常指标的原因分析和改进建议见指标表之后的表格。",
    "ind.intro_ok": "本期共考核 {count} 项服务级别指标，均达到约定标准。",
    "ind.abnormal_indicator": "异常指标（实际值，约定标准）",
    "ind.cause_column": "原因分析",
    "ind.suggestion_column": "改进建议",
    "chart.priority_mix": "本期工单优先级分布",
    "chart.availability": "本期各服务可用性",
    "chart.attainment": "SLA 达成率趋势",
    "ind.cause_prompt": "【待项目经理填写：原因分析】",
    "ind.suggestion_prompt": "【待项目经理填写：改进建议】",
    "ind.missing": "本期没有可计量的服务级别指标。",
    # work
    "work.count": "工单数",
    "work.share": "占比",
    "work.by_kind": "按工单类型统计",
    "work.by_priority": "按优先级统计",
    "work.by_service": "按服务统计",
    "work.by_channel": "按受理渠道统计",
    "work.by_category": "按类别统计",
    "work.opened": "本期新增",
    "work.resolved": "本期解决",
    "work.closed": "本期关闭",
    "work.backlog": "期末未解决",
    "work.kind.incident": "事件",
    "work.kind.request": "服务请求",
    "work.unknown": "未分类",
    "work.main_work": "本期主要工作：",
    "work.main_work_prompt": "【待项目经理填写：本期主要工作】",
    "work.missing": "本期没有工单数据。",
    # targets
    "tgt.metric": "指标",
    "tgt.priority": "优先级",
    "tgt.target": "目标时限",
    "tgt.stopped": "已计时完成",
    "tgt.met": "达标",
    "tgt.breached": "超时",
    "tgt.attainment": "达成率",
    "tgt.result": "结果",
    "tgt.metric.response": "响应时间",
    "tgt.metric.resolution": "解决时间",
    "tgt.metric.turnaround": "请求完成时间",
    "tgt.intro": "以下时限均按服务级别协议约定的服务时间（{calendar}）计算，挂起时间不计入。",
    "tgt.calendar.always": "7×24 小时",
    "tgt.calendar.office": "工作日 {hours}",
    "tgt.availability": "可用性目标 {target}，本期实际 {value}。",
    "tgt.failures": "故障次数上限 {target}，本期 {value}。",
    "tgt.longest": "单次故障时长上限 {target}，本期最长 {value}。",
    "tgt.missing": "本期没有已完成计时的 SLA 工单。",
    # nonconformities
    "nc.breaches": "本期共有 {count} 项 SLA 计时超时（见“本期超时工单”表）。",
    "nc.breach_table": "本期超时工单",
    "nc.open_table": "在途超时工单",
    "nc.security_table": "安全事件工单",
    "nc.no_breaches": "本期无 SLA 超时工单。",
    "nc.open": "截至期末仍在处理且已超过时限的计时 {count} 项（见“在途超时工单”表），将在下期继续跟踪。",
    "nc.no_open": "期末无在途超时工单。",
    "nc.priority": "优先级",
    "nc.metric": "指标",
    "nc.target": "目标时限",
    "nc.elapsed": "实际用时",
    "nc.over": "超出",
    "nc.service": "服务",
    "nc.security": "本期发生信息安全事件 {count} 起（见“安全事件工单”表）。",
    "nc.no_security": "本期未发生信息安全事件。",
    "nc.opened": "发生时间",
    "nc.resolved": "解决时间",
    "nc.category": "类别",
    "nc.title": "描述",
    "nc.security_notes": "安全事件说明：{text}",
    "nc.more": "（另有 {count} 条未列出，完整清单见 JSON 报告。）",
    # workload
    "wl.item": "项目",
    "wl.value": "数值",
    "wl.working_days": "本期工作日（天）",
    "wl.per_day": "日均受理工单（单/工作日）",
    "wl.backlog": "期末积压工单",
    "wl.engineers": "项目服务人员",
    "wl.per_engineer": "人均受理工单",
    "wl.group": "处理组/工程师",
    "wl.mean": "平均用时",
    "wl.count": "工单数",
    "wl.missing": "本期没有工单数据。",
    # major incidents and changes
    "mj.count": "本期重大事件 {count} 起，占事件总数的 {share}。",
    "mj.none": "本期未发生重大事件。",
    "mj.ticket": "重大事件工单",
    "mj.service": "服务",
    "mj.opened": "发生时间",
    "mj.resolved": "恢复时间",
    "mj.business": "处理用时（服务时间）",
    "mj.wall": "持续时长（自然时间）",
    "mj.review_heading": "{ticket}（{service}）事件回顾：",
    "mj.review_prompt": "【待项目经理填写：{ticket} 事件处理过程与回顾】",
    "mj.not_resolved": "未恢复",
    "mj.outages": "各服务可用性、故障次数和停机时长见下表（按约定服务时间计算，计划维护时间不计入）。",
    "mj.svc": "服务",
    "mj.availability": "可用性",
    "mj.failures": "故障次数",
    "mj.downtime": "停机时长",
    "mj.mttr": "平均修复时间",
    "mj.no_outage_data": "本期没有监控中断数据，无法计算可用性。",
    "mj.changes": "本期变更 {count} 项，其中已批准 {approved} 项、未批准 {unapproved} 项。",
    "mj.no_changes": "本期未实施变更。",
    "mj.change_type": "变更类型",
    "mj.change_count": "数量",
    "mj.approved": "已批准",
    "mj.unapproved": "未批准",
    "mj.windows": "本期计划维护窗口 {count} 个，均按变更流程审批并提前通知客户。",
    "mj.window_time": "计划维护时间",
    "mj.window_service": "服务",
    "mj.window_title": "内容",
    "mj.change_type.standard": "标准变更",
    "mj.change_type.normal": "一般变更",
    "mj.change_type.emergency": "紧急变更",
    "mj.planned_outage": "计划停机",
    # trends
    "tr.period": "月份",
    "tr.tickets": "工单量",
    "tr.response": "响应及时率",
    "tr.resolution": "解决及时率",
    "tr.sla": "SLA 达成率",
    "tr.availability": "可用性",
    "tr.satisfaction": "满意度",
    "tr.change": "较上期变化",
    "tr.slope": "趋势（每期）",
    "tr.intro": "近 {count} 个周期主要指标如下；“较上期变化”为本期与上期之差，“趋势”为最小二乘拟合斜率。",
    "tr.missing": "没有足够的历史数据进行趋势分析。",
    "tr.volume_chart": "近 {count} 个月工单量趋势",
    # satisfaction
    "sat.mean": "满意度平均分",
    "sat.share": "满意率（4 分及以上）",
    "sat.callback": "事件回访率（解决后 7 天内）",
    "sat.responses": "有效答卷数",
    "sat.item": "项目",
    "sat.value": "数值",
    "sat.score": "评分",
    "sat.count": "份数",
    "sat.score_label": "{score} 分",
    "sat.surveys": "{kind}结果：共 {count} 份，平均 {mean} 分，满意率 {share}。",
    "sat.kind.project": "项目满意度调查",
    "sat.kind.annual": "年度满意度调查",
    "sat.missing": "本期没有满意度调查数据。",
    # improvements and plan
    "imp.manager": "本期改进措施：",
    "imp.prompt": "【待项目经理填写：本期服务改进措施】",
    "imp.auto": "针对未达标指标的改进建议：",
    "imp.auto_item": "{name}：{text}",
    "imp.auto_default": "分析未达标原因，制定并跟踪改进措施，于下期报告中回顾效果。",
    # the suggestion for an abnormal indicator the manager gave none for
    "imp.auto.response_attainment": "加强服务台值守和工单分派，临近响应时限自动提醒，确保及时响应。",
    "imp.auto.resolution_attainment": "对超时工单逐单复盘；等待用户或厂商时及时挂起，疑难问题尽早升级二线。",
    "imp.auto.turnaround_attainment": "梳理服务请求处理流程，常见请求标准化，缩短完成时间。",
    "imp.auto.sla_attainment": "每日跟踪临近时限工单，对超时工单开展原因分析并落实整改。",
    "imp.auto.availability": "落实故障复盘整改措施，完善监控告警和主备切换演练，缩短故障恢复时间。",
    "imp.auto.failure_count": "对故障开展根因分析并纳入问题管理，消除重复性故障。",
    "imp.auto.longest_failure_seconds": "完善应急预案和备件储备，提升单次故障的恢复速度。",
    "imp.auto.mttr_seconds": "完善故障处置手册和升级机制，缩短平均修复时间。",
    "imp.auto.satisfaction_mean": "对低分回访逐一跟进，加强处理进度告知和沟通。",
    "imp.auto.satisfied_share": "对不满意反馈逐一回访，制定针对性改进措施。",
    "imp.auto.callback_coverage": "服务台在事件解决后 7 天内完成回访并记录结果。",
    "plan.prompt": "【待项目经理填写：下阶段工作计划】",
    # data quality
    "dq.count": "本期数据中有 {count} 条记录因数据问题未计入统计：",
    "dq.none": "未发现数据质量问题。",
    "dq.provisional": "注意：本期 SLA 达成率、服务可用性和故障等按服务时间计量的指标，所依据的 {years} 年节假日安排为推定安排（仅含法定节假日，调休上班日未知）。国务院公布正式安排后，请在日历配置中加载（schedules）并重新生成本报告。",
    "dq.record": "记录",
    "dq.reason": "原因",
    "dq.source": "来源",
    "plugin.failed": "附加章节“{name}”生成失败：{error}",
    # units
    "unit.hours": "{h}小时",
    "unit.hours_minutes": "{h}小时{m}分",
    "unit.minutes": "{m}分钟",
    "unit.seconds": "{s}秒",
    "unit.score": "{value} 分",
    "list.sep": "、",
    "date": "{d.year}年{d.month}月{d.day}日",
}

#: English wording, by key (the same keys as :data:`ZH`).
EN: dict[str, str] = {
    "title.basic": "1. Report information",
    "title.summary": "2. Summary of results",
    "title.indicators": "3. Service level indicators",
    "title.work": "4. Main service work",
    "title.targets": "5. Performance against SLA targets",
    "title.nonconformities": "6. Nonconformities and issues",
    "title.workload": "7. Workload and capacity",
    "title.major": "8. Major incidents and changes",
    "title.trends": "9. Trends",
    "title.satisfaction": "10. Customer satisfaction",
    "title.improvements": "11. Improvement measures",
    "title.plan": "12. Plan for the next period",
    "title.quality": "Appendix: data quality",
    "title.plugin_error": "Additional section failed",
    "basic.item": "Item",
    "basic.content": "Details",
    "basic.title": "Report",
    "basic.purpose": "Purpose",
    "basic.scope": "Scope (services)",
    "basic.audience": "Audience",
    "basic.author": "Author",
    "basic.department": "Department",
    "basic.period": "Service period",
    "basic.report_date": "Report date",
    "basic.customer": "Customer",
    "basic.project": "Project",
    "basic.manager": "Service manager",
    "basic.sla": "SLA version",
    "basic.data_sources": "Data sources",
    "basic.distribution": "Distribution",
    "basic.approval": "Approval",
    "basic.sla_terms": "Service level agreement terms",
    "basic.effective": "In force",
    "basic.effective_range": "from {start} to {end}",
    "basic.open_end": "open-ended",
    "basic.service_hours": "Service hours",
    "basic.report_content": "Agreed report content",
    "basic.responsibilities": "Responsibilities",
    "basic.risks": "Risks and responses",
    "basic.interfaces": "Service interfaces",
    "basic.purpose_default": "To report to the customer how the service level agreement was delivered in "
    "the period, the work done, the issues met and the plan for improvement.",
    "basic.period_range": "{start} to {end}",
    "basic.sla_version": "{sla}, version {version}",
    "summary.tickets": "{opened} tickets were received in the period ({incidents} incidents, "
    "{requests} service requests); {resolved} were resolved and {backlog} remained open at period end.",
    "summary.attainment": "SLA attainment was {value} (target {target}): the target was {verdict}.",
    "summary.attainment_na": "No ticket was measured against the SLA in the period.",
    "summary.met": "met",
    "summary.missed": "missed",
    "summary.metrics": "Response attainment was {response} and resolution attainment {resolution}.",
    "summary.availability": "Service availability was {value} (target {target}) with {failures} failure(s).",
    "summary.major": "{count} major incident(s) occurred; see section 8.",
    "summary.no_major": "No major incident occurred.",
    "summary.satisfaction": "Customer satisfaction averaged {mean} out of 5; {share} were satisfied.",
    "summary.abnormal": "Indicators below target: {names}; see the cause analysis in section 3.",
    "summary.all_normal": "All service level indicators met their targets.",
    "summary.manager": "Service manager's summary: {text}",
    "ind.name": "Indicator",
    "ind.standard": "Agreed standard",
    "ind.actual": "Actual",
    "ind.status": "Status",
    "ind.remarks": "Remarks",
    "ind.normal": "Normal",
    "ind.abnormal": "Abnormal",
    "ind.none": "—",
    "ind.response_attainment": "Response attainment",
    "ind.resolution_attainment": "Resolution attainment",
    "ind.turnaround_attainment": "Request fulfilment attainment",
    "ind.sla_attainment": "SLA attainment",
    "ind.availability": "Service availability",
    "ind.failure_count": "Failures",
    "ind.longest_failure_seconds": "Longest single failure",
    "ind.mttr_seconds": "Mean time to repair (MTTR)",
    "ind.satisfaction_mean": "Customer satisfaction (mean score)",
    "ind.satisfied_share": "Satisfied customers",
    "ind.callback_coverage": "Incident callback coverage",
    "ind.remark_tickets": "{met} of {total} met",
    "ind.remark_availability": "{failures} failure(s), downtime {downtime}",
    "ind.remark_answers": "{count} answers",
    "ind.remark_callback": "{done} of {total} called back",
    "unit.times": "{n}",
    "unit.points": "{value} pp",
    "list.remark_sep": "; ",
    "ind.remark_open": "{count} open ticket(s) already past target",
    "ind.remark_at_risk": "close to target",
    "ind.cause_heading": "{name} ({actual}; agreed standard {standard})",
    "ind.intro": "{count} service level indicators were assessed; {abnormal} were abnormal. The cause "
    "analysis and improvement suggestion of each abnormal indicator follow the indicator table.",
    "ind.intro_ok": "{count} service level indicators were assessed; all met their agreed standard.",
    "ind.abnormal_indicator": "Abnormal indicator (actual; agreed standard)",
    "ind.cause_column": "Cause analysis",
    "ind.suggestion_column": "Improvement suggestion",
    "chart.priority_mix": "Tickets by priority in the period",
    "chart.availability": "Availability by service in the period",
    "chart.attainment": "SLA attainment trend",
    "ind.cause_prompt": "[To be completed by the service manager: cause analysis]",
    "ind.suggestion_prompt": "[To be completed by the service manager: improvement suggestion]",
    "ind.missing": "No service level indicator could be measured in the period.",
    "work.count": "Tickets",
    "work.share": "Share",
    "work.by_kind": "By ticket type",
    "work.by_priority": "By priority",
    "work.by_service": "By service",
    "work.by_channel": "By channel",
    "work.by_category": "By category",
    "work.opened": "Opened",
    "work.resolved": "Resolved",
    "work.closed": "Closed",
    "work.backlog": "Open at period end",
    "work.kind.incident": "Incident",
    "work.kind.request": "Service request",
    "work.unknown": "Unspecified",
    "work.main_work": "Main work in the period:",
    "work.main_work_prompt": "[To be completed by the service manager: main work in the period]",
    "work.missing": "No ticket data for the period.",
    "tgt.metric": "Metric",
    "tgt.priority": "Priority",
    "tgt.target": "Target",
    "tgt.stopped": "Measured",
    "tgt.met": "Met",
    "tgt.breached": "Breached",
    "tgt.attainment": "Attainment",
    "tgt.result": "Result",
    "tgt.metric.response": "Response time",
    "tgt.metric.resolution": "Resolution time",
    "tgt.metric.turnaround": "Request fulfilment time",
    "tgt.intro": "All times are measured in the agreed service hours ({calendar}); time on hold is excluded.",
    "tgt.calendar.always": "24x7",
    "tgt.calendar.office": "working days {hours}",
    "tgt.availability": "Availability target {target}; actual {value}.",
    "tgt.failures": "At most {target} failure(s); actual {value}.",
    "tgt.longest": "Longest failure at most {target}; actual {value}.",
    "tgt.missing": "No SLA clock was completed in the period.",
    "nc.breaches": "{count} SLA clock(s) breached their target in the period (table 'Breached in the period').",
    "nc.breach_table": "Breached in the period",
    "nc.open_table": "Open past target",
    "nc.security_table": "Security incident",
    "nc.no_breaches": "No SLA breach in the period.",
    "nc.open": "{count} SLA clock(s) still running at period end were already past their target (table 'Open past target'); they are followed up next period.",
    "nc.no_open": "No open ticket past its target at period end.",
    "nc.priority": "Priority",
    "nc.metric": "Metric",
    "nc.target": "Target",
    "nc.elapsed": "Elapsed",
    "nc.over": "Over by",
    "nc.service": "Service",
    "nc.security": "{count} security incident(s) in the period (table 'Security incident').",
    "nc.no_security": "No security incident in the period.",
    "nc.opened": "Opened",
    "nc.resolved": "Resolved",
    "nc.category": "Category",
    "nc.title": "Description",
    "nc.security_notes": "Security notes: {text}",
    "nc.more": "({count} more not listed; see the JSON report for the full list.)",
    "wl.item": "Item",
    "wl.value": "Value",
    "wl.working_days": "Working days in the period",
    "wl.per_day": "Tickets per working day",
    "wl.backlog": "Open tickets at period end",
    "wl.engineers": "Service staff",
    "wl.per_engineer": "Tickets per staff member",
    "wl.group": "Group / engineer",
    "wl.mean": "Mean time",
    "wl.count": "Tickets",
    "wl.missing": "No ticket data for the period.",
    "mj.count": "{count} major incident(s) in the period, {share} of all incidents.",
    "mj.none": "No major incident in the period.",
    "mj.ticket": "Major incident",
    "mj.service": "Service",
    "mj.opened": "Opened",
    "mj.resolved": "Restored",
    "mj.business": "Handling time (service hours)",
    "mj.wall": "Duration (clock time)",
    "mj.review_heading": "Review of {ticket} ({service}): ",
    "mj.review_prompt": "[To be completed by the service manager: handling and review of {ticket}]",
    "mj.not_resolved": "not restored",
    "mj.outages": "Availability, failures and downtime per service are in the table below (service hours, planned maintenance excluded).",
    "mj.svc": "Service",
    "mj.availability": "Availability",
    "mj.failures": "Failures",
    "mj.downtime": "Downtime",
    "mj.mttr": "MTTR",
    "mj.no_outage_data": "No monitoring outage data for the period; availability cannot be computed.",
    "mj.changes": "{count} change(s) in the period: {approved} approved, {unapproved} not approved.",
    "mj.no_changes": "No change in the period.",
    "mj.change_type": "Change type",
    "mj.change_count": "Count",
    "mj.approved": "Approved",
    "mj.unapproved": "Not approved",
    "mj.windows": "{count} planned maintenance window(s) in the period, approved through change management and announced to the customer.",
    "mj.window_time": "Planned maintenance",
    "mj.window_service": "Service",
    "mj.window_title": "Work",
    "mj.change_type.standard": "Standard",
    "mj.change_type.normal": "Normal",
    "mj.change_type.emergency": "Emergency",
    "mj.planned_outage": "Planned outage",
    "tr.period": "Month",
    "tr.tickets": "Tickets",
    "tr.response": "Response",
    "tr.resolution": "Resolution",
    "tr.sla": "SLA attainment",
    "tr.availability": "Availability",
    "tr.satisfaction": "Satisfaction",
    "tr.change": "Change vs previous",
    "tr.slope": "Trend (per period)",
    "tr.intro": "Main indicators over the last {count} periods; the change is this period minus the "
    "previous one, the trend the least-squares slope.",
    "tr.missing": "Not enough history for a trend analysis.",
    "tr.volume_chart": "Tickets, last {count} months",
    "sat.mean": "Mean satisfaction score",
    "sat.share": "Satisfied (score 4 or 5)",
    "sat.callback": "Incident callback coverage (within 7 days)",
    "sat.responses": "Answers",
    "sat.item": "Item",
    "sat.value": "Value",
    "sat.score": "Score",
    "sat.count": "Answers",
    "sat.score_label": "{score}",
    "sat.surveys": "{kind}: {count} answers, mean {mean}, {share} satisfied.",
    "sat.kind.project": "Project satisfaction survey",
    "sat.kind.annual": "Annual satisfaction survey",
    "sat.missing": "No satisfaction survey data for the period.",
    "imp.manager": "Improvement measures this period:",
    "imp.prompt": "[To be completed by the service manager: improvement measures]",
    "imp.auto": "Suggestions for the indicators below target:",
    "imp.auto_item": "{name}: {text}",
    "imp.auto_default": "Analyse why the target was missed, agree and track corrective actions, "
    "and review their effect in the next report.",
    # the suggestion for an abnormal indicator the manager gave none for
    "imp.auto.response_attainment": "Staff the service desk to the demand and alert dispatchers before the response deadline.",
    "imp.auto.resolution_attainment": "Review every overrun ticket; put tickets on hold while waiting for the user or a vendor and escalate hard problems early.",
    "imp.auto.turnaround_attainment": "Standardise the common service requests to shorten fulfilment.",
    "imp.auto.sla_attainment": "Track tickets approaching their deadline daily and act on every breach.",
    "imp.auto.availability": "Carry out the post-incident actions, improve monitoring and rehearse failover.",
    "imp.auto.failure_count": "Analyse root causes in problem management to remove recurring failures.",
    "imp.auto.longest_failure_seconds": "Improve the recovery plans and spare parts to restore service faster.",
    "imp.auto.mttr_seconds": "Improve the runbooks and escalation to shorten repair times.",
    "imp.auto.satisfaction_mean": "Follow up every low score and keep users informed of progress.",
    "imp.auto.satisfied_share": "Call back every dissatisfied user and act on their feedback.",
    "imp.auto.callback_coverage": "Call back every resolved incident within 7 days and record the result.",
    "plan.prompt": "[To be completed by the service manager: plan for the next period]",
    "dq.count": "{count} record(s) were left out of the figures because of data problems:",
    "dq.none": "No data quality problem found.",
    "dq.provisional": "Note: the SLA attainment, availability and failure figures, measured in service hours, rest on a provisional holiday schedule for {years} (statutory holidays only; make-up working days unknown). Once the State Council publishes the official schedule, load it into the calendar configuration (schedules) and rebuild this report.",
    "dq.record": "Record",
    "dq.reason": "Reason",
    "dq.source": "Source",
    "plugin.failed": "Additional section '{name}' could not be built: {error}",
    "unit.hours": "{h}h",
    "unit.hours_minutes": "{h}h{m}m",
    "unit.minutes": "{m}m",
    "unit.seconds": "{s}s",
    "unit.score": "{value}",
    "list.sep": ", ",
    "date": "{d.year:04d}-{d.month:02d}-{d.day:02d}",
}

#: The wording of each language.
TEXTS: Mapping[str, Mapping[str, str]] = {"zh-CN": ZH, "en": EN}
#: Shown for a value that is not applicable (no data), by language.
NOT_APPLICABLE: Mapping[str, str] = {"zh-CN": "不适用", "en": "n/a"}


@attrs.frozen
class Texts:
    """Wording and number formats of one report language."""

    language: str = attrs.field(validator=attrs.validators.in_(LANGUAGES))

    def __call__(self, key: str, **values: object) -> str:
        """The phrase ``key`` with ``values`` filled in."""
        return TEXTS[self.language][key].format(**values)

    def has(self, key: str) -> bool:
        """True when ``key`` is a known phrase."""
        return key in TEXTS[self.language]

    @property
    def na(self) -> str:
        """Shown for a value that is not applicable (empty set)."""
        return NOT_APPLICABLE[self.language]

    def percent(self, value: float | None) -> str:
        """A fraction as a percent with two decimals: ``0.955 -> "95.50%"``."""
        return self.na if value is None else f"{value * 100:.2f}%"

    def target_percent(self, value: float) -> str:
        """A target fraction as the shortest exact percent: ``0.95 -> "95%"``, ``0.999 -> "99.9%"``."""
        return f"{value * 100:.2f}".rstrip("0").rstrip(".") + "%"

    def count(self, value: float | None) -> str:
        """A count as an integer."""
        return self.na if value is None else str(round(value))

    def score(self, value: float | None) -> str:
        """A mean 1-5 score with two decimals."""
        return self.na if value is None else f"{value:.2f}"

    def number(self, value: float | None, decimals: int = 1) -> str:
        """A plain number with ``decimals`` decimals."""
        return self.na if value is None else f"{value:.{decimals}f}"

    def duration(self, seconds: float | None) -> str:
        """Seconds as ``1小时30分`` / ``1h30m`` (rounded to the minute; seconds below a minute)."""
        if seconds is None:
            return self.na
        total = round(seconds)
        if abs(total) < 60:
            return self("unit.seconds", s=total)
        sign = "-" if total < 0 else ""
        hours, minutes = divmod(round(abs(total) / 60), 60)
        if not hours:
            return sign + self("unit.minutes", m=minutes)
        if not minutes:
            return sign + self("unit.hours", h=hours)
        return sign + self("unit.hours_minutes", h=hours, m=minutes)

    def signed(self, text: str, value: float) -> str:
        """``text`` prefixed with ``+`` when ``value`` is positive (changes between periods)."""
        return f"+{text}" if value > 0 and not text.startswith("-") else text

    def date(self, value: date | datetime) -> str:
        """A date: ``2025年10月31日`` / ``2025-10-31``."""
        return self("date", d=value)

    def datetime(self, value: datetime | None, timezone: tzinfo | None = None) -> str:
        """A local time ``YYYY-MM-DD HH:MM`` (converted to ``timezone`` when given)."""
        if value is None:
            return self.na
        if isinstance(timezone, tzinfo):
            value = value.astimezone(timezone)
        return value.strftime("%Y-%m-%d %H:%M")

    def join(self, items: list[str] | tuple[str, ...]) -> str:
        """Items joined the way the language lists them."""
        return self("list.sep").join(items)


def _check_same_keys() -> None:
    missing = set(ZH) ^ set(EN)
    if missing:  # pragma: no cover - caught by the tests at import
        raise AssertionError(f"zh-CN and en texts differ in keys: {sorted(missing)}")


_check_same_keys()
