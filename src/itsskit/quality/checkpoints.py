"""The checkpoints of seed 0403 §8 (质量检查和监督), in Chinese and English.

The Chinese text is the seed's own wording; the English is a translation. Ids
follow the seed's clause numbers: ``8.0.n`` are the PDCA checkpoints of the §8
introduction, ``8.1.n`` … ``8.6.n`` those of each clause. In 8.1 and 8.3 each
checkpoint belongs to one named aspect or process, written before the question
(``工具：…``); the seed's first 8.3 checkpoint (the service report plan) is part
of the "service reporting" process item, so 8.3 has exactly its 11 processes.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["AREAS", "CHECKPOINTS", "REFERENCE"]

#: The source document every checkpoint refers to.
REFERENCE = "YNTD-ITSS-0403"

#: Area key -> (clause, Chinese name, English name), in checklist order.
AREAS: Mapping[str, tuple[str, str, str]] = {
    "pdca": ("8", "PDCA", "PDCA"),
    "resources": ("8.1", "资源", "Resources"),
    "technology": ("8.2", "技术", "Technology"),
    "processes": ("8.3", "过程", "Processes"),
    "people": ("8.4", "人员", "People"),
    "delivery": ("8.5", "交付", "Delivery"),
    "emergency": ("8.6", "应急", "Emergency"),
}

#: (id, area key, Chinese question, English question), in checklist order.
CHECKPOINTS: tuple[tuple[str, str, str, str], ...] = (
    # §8 introduction: the PDCA cycle
    (
        "8.0.1",
        "pdca",
        "评审公司运维业务的方针策略和目标，评审服务目录、管控目标、能力计划及实施计划。",
        "Are the policy, strategy and objectives of the operations business reviewed, "
        "together with the service catalogue, control objectives, capability plan and "
        "implementation plan?",
    ),
    (
        "8.0.2",
        "pdca",
        "是否在《运维服务能力管理计划》中，对人员、资源、技术、过程、交付和应急进行规划。",
        "Does the Operations Service Capability Management Plan plan people, resources, "
        "technology, processes, delivery and emergency response?",
    ),
    (
        "8.0.3",
        "pdca",
        "是否制定并评审了《运维服务质量管理计划》。",
        "Has the Operations Service Quality Management Plan been drawn up and reviewed?",
    ),
    (
        "8.0.4",
        "pdca",
        "《运维服务质量管理计划》中，是否包括了质量管理日常工作、运维指标的收集分析、客户满意度调查等内容。",
        "Does the Quality Management Plan cover the daily quality work, the collection and "
        "analysis of operations indicators and the customer satisfaction surveys?",
    ),
    (
        "8.0.5",
        "pdca",
        "在公司内，是否每年进行一次内部审核和管理评审。",
        "Are an internal audit and a management review held every year?",
    ),
    (
        "8.0.6",
        "pdca",
        "对于内审发现的不符合项是否进行了跟踪、关闭，预防和纠正措施是否得到落实。",
        "Are the nonconformities found by internal audits tracked and closed, and are the "
        "preventive and corrective actions carried out?",
    ),
    (
        "8.0.7",
        "pdca",
        "是否针对每年制定的改进措施，制定了改进计划，保证了改进措施的落实。",
        "Is there an improvement plan for each year's improvement measures, and are the "
        "measures carried out?",
    ),
    # 8.1 resources: the six aspects
    (
        "8.1.1",
        "resources",
        "工具：是否定期对运维工具使用情况进行评审。",
        "Tools: Is the use of the operations tools reviewed regularly?",
    ),
    (
        "8.1.2",
        "resources",
        "服务台：检查《服务台管理制度》是否得到遵守。",
        "Service desk: Is the Service Desk Management Policy complied with?",
    ),
    (
        "8.1.3",
        "resources",
        "服务数据：是否对进行满意度调查，并对调查结果进行了分析改进。",
        "Service data: Are satisfaction surveys carried out, and are their results analysed "
        "and acted upon?",
    ),
    (
        "8.1.4",
        "resources",
        "备件库：《备品备件库管理制度》是否得到实施，确保备件可用。",
        "Spare parts store: Is the Spare Parts Store Management Policy implemented, so that "
        "spare parts are available?",
    ),
    (
        "8.1.5",
        "resources",
        "服务知识：《服务知识管理制度》的使用情况，确保知识在组织内得到有效的使用。",
        "Service knowledge: How is the Service Knowledge Management Policy used, so that "
        "knowledge is used effectively in the organisation?",
    ),
    (
        "8.1.6",
        "resources",
        "最终软件库：《最终软件库管理制度》是否实施，运行结果是否满足KPI指标要求。",
        "Definitive software library: Is the Definitive Software Library Policy implemented, "
        "and do its results meet the KPI targets?",
    ),
    # 8.2 technology
    (
        "8.2.1",
        "technology",
        "研发需求、规划和相关计划是否得到了评审。",
        "Are the R&D requirements, roadmap and related plans reviewed?",
    ),
    ("8.2.2", "technology", "相关计划是否得到了实施。", "Are those plans carried out?"),
    (
        "8.2.3",
        "technology",
        "是否对发现和解决问题的经验和技术进行交流并改进相应的服务知识。",
        "Are the experience and techniques of finding and solving problems shared, and the "
        "service knowledge improved accordingly?",
    ),
    # 8.3 processes: the 11 processes
    (
        "8.3.1",
        "processes",
        "过程框架管理：依据《过程框架管理程序》，检查项目的过程量化指标。",
        "Process framework management: Following the Process Framework Management "
        "Procedure, check the projects' quantified process indicators.",
    ),
    (
        "8.3.2",
        "processes",
        "服务级别：根据《服务级别管理程序》，检查SLA达成率。",
        "Service level: Following the Service Level Management Procedure, check the SLA "
        "attainment rate.",
    ),
    (
        "8.3.3",
        "processes",
        "服务报告：检查服务报告计划的制定，评审和按计划提交报告；根据《服务报告管理程序》，检查服务报告交付及时率。",
        "Service reporting: Check that the service report plan is drawn up and reviewed and "
        "reports are submitted as planned; following the Service Report Management "
        "Procedure, check the report on-time rate.",
    ),
    (
        "8.3.4",
        "processes",
        "事件管理：根据《事件管理程序》，检查事件是否按约解决，事件的解决满意度。",
        "Incident management: Following the Incident Management Procedure, check that "
        "incidents are resolved as agreed, and the satisfaction with their resolution.",
    ),
    (
        "8.3.5",
        "processes",
        "问题管理：依据《问题管理程序》，检查问题的识别，解决情况。",
        "Problem management: Following the Problem Management Procedure, check how problems "
        "are identified and solved.",
    ),
    (
        "8.3.6",
        "processes",
        "配置管理：依据《配置管理程序》，检查配置计划、抽查配置项的一致性。",
        "Configuration management: Following the Configuration Management Procedure, check "
        "the configuration plan and sample configuration items for consistency.",
    ),
    (
        "8.3.7",
        "processes",
        "变更管理：依据《变更管理程序》，检查变更的评估和批准。",
        "Change management: Following the Change Management Procedure, check the assessment "
        "and approval of changes.",
    ),
    (
        "8.3.8",
        "processes",
        "发布管理：依据《发布管理程序》，检查发布的方案批准和验收。",
        "Release management: Following the Release Management Procedure, check the approval "
        "and acceptance of release plans.",
    ),
    (
        "8.3.9",
        "processes",
        "服务可用性和连续性管理：依据《服务可用性和连续性管理程序》，检查相关运维项目的可用性和服务中断情况。",
        "Service availability and continuity management: Following the Service Availability "
        "and Continuity Management Procedure, check the projects' availability and service "
        "interruptions.",
    ),
    (
        "8.3.10",
        "processes",
        "容量管理：依据《容量管理程序》，检查相关运维项目发生容量事件的次数。",
        "Capacity management: Following the Capacity Management Procedure, check the number "
        "of capacity incidents in the projects.",
    ),
    (
        "8.3.11",
        "processes",
        "信息安全管理：依据《信息安全管理程序》，评审信息安全的策略，信息安全计划的评审，信息安全事件的处理评审。",
        "Information security management: Following the Information Security Management "
        "Procedure, review the security policy, the security plan and the handling of "
        "security incidents.",
    ),
    # 8.4 people
    ("8.4.1", "people", "培训是否充足且适用。", "Is training sufficient and suitable?"),
    (
        "8.4.2",
        "people",
        "岗位的互备性，关键岗位的储备适宜性。",
        "Can staff stand in for each other, and are there suitable reserves for key posts?",
    ),
    (
        "8.4.3",
        "people",
        "人员考核指标设定是否符合 SMART 原则。",
        "Are the staff appraisal indicators SMART?",
    ),
    (
        "8.4.4",
        "people",
        "人员绩效考核覆盖率，考核结果应用是否真正落地有效。",
        "What share of staff is appraised, and are the appraisal results really acted upon?",
    ),
    (
        "8.4.5",
        "people",
        "是否具有完整良好的沟通协作机制",
        "Is there a complete and working mechanism for communication and cooperation?",
    ),
    # 8.5 delivery
    (
        "8.5.1",
        "delivery",
        "交付计划与评审：检查《服务交付计划》是否经过评审，并得到有效执行与跟踪。",
        "Delivery plan and review: Check that the Service Delivery Plan was reviewed, and is "
        "carried out and tracked effectively.",
    ),
    (
        "8.5.2",
        "delivery",
        "交付物质量：依据《服务交付物管理规范》，检查交付物的完整性、准确性与及时性。",
        "Deliverable quality: Following the Service Deliverables Standard, check that the "
        "deliverables are complete, accurate and timely.",
    ),
    (
        "8.5.3",
        "delivery",
        "客户验收与满意度：检查交付成果是否获得客户正式验收确认，并对客户满意度进行调查分析与改进。",
        "Customer acceptance and satisfaction: Check that the customer formally accepted the "
        "results, and that customer satisfaction was surveyed, analysed and acted upon.",
    ),
    (
        "8.5.4",
        "delivery",
        "交付过程合规性：依据《服务交付管理程序》，检查交付活动是否符合既定的流程与标准。",
        "Delivery process compliance: Following the Service Delivery Management Procedure, "
        "check that delivery follows the defined processes and standards.",
    ),
    (
        "8.5.5",
        "delivery",
        "交付问题管理：检查交付过程中发现的问题是否被有效记录、跟踪并闭环解决。",
        "Delivery issue management: Check that issues found during delivery are recorded, "
        "tracked and closed.",
    ),
    (
        "8.5.6",
        "delivery",
        "成果移交与知识传递：检查项目成果向运维或客户的移交过程是否完整，关键知识是否有效传递并归档。",
        "Handover and knowledge transfer: Check that results were handed over completely to "
        "operations or the customer, and that key knowledge was transferred and archived.",
    ),
    # 8.6 emergency
    (
        "8.6.1",
        "emergency",
        "应急预案完备性：检查《应急预案》的覆盖范围、流程清晰度、角色职责明确性及文档有效性。",
        "Emergency plan completeness: Check the Emergency Plan's coverage, clarity of "
        "procedure, clarity of roles and responsibilities, and that the document is current.",
    ),
    (
        "8.6.2",
        "emergency",
        "应急演练执行：检查是否定期按计划开展应急演练，并对演练结果进行评估、记录与改进。",
        "Emergency drills: Check that drills are held regularly as planned, and that their "
        "results are assessed, recorded and acted upon.",
    ),
    (
        "8.6.3",
        "emergency",
        "应急响应时效性：依据《应急响应管理程序》，检查突发事件发生后的应急启动、响应及升级是否及时。",
        "Timely emergency response: Following the Emergency Response Procedure, check that "
        "activation, response and escalation after an emergency were timely.",
    ),
    (
        "8.6.4",
        "emergency",
        "应急资源可用性：检查应急所需的工具、备件、人员等资源是否处于随时可用状态。",
        "Emergency resources: Check that the tools, spare parts and people needed in an "
        "emergency are available at any time.",
    ),
    (
        "8.6.5",
        "emergency",
        "应急过程记录与分析：检查应急处理过程是否被完整记录，事后是否进行根本原因分析并更新预案。",
        "Emergency records and analysis: Check that the handling was fully recorded, and that "
        "a root cause analysis was made and the plan updated afterwards.",
    ),
)
