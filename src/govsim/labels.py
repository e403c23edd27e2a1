"""Every word govsim shows a reader, in Chinese and English, in one place.

Figures (``plots``), tables and the run summary (``metrics``), the sweep report (``report``), the
workbook (``runner``) and the teaching helpers (``teaching*``) look their labels up here, so a term
is translated once and the two languages stay in step. Each entry is a ``Label(en, zh)``; ``say``
picks the language (``govsim.bilingual``). The sentences (sweep report, warnings, classroom text) are
in ``govsim.sentences``, importable from here. Keys are govsim's identifiers (category and channel
names of ``govsim.config``, KPI keys of ``govsim.metrics``, record column names of ``govsim.records``).

Chinese terms follow the seed article and common usage in grassroots governance (网格员, 流转, 处置,
办结, 按期办结率…); English renderings are the usual ones in the literature on China's grid management.
County names of the Jiangmen scenario are those of the city's seven county-level divisions.
"""

from __future__ import annotations

import re

from govsim.bilingual import LANGS as LANGS
from govsim.bilingual import Label as Label
from govsim.bilingual import lookup as lookup
from govsim.bilingual import say as say
from govsim.kpidefs import DEFINITIONS as _KPI_DEFINITIONS
from govsim.kpidefs import RATES as _RATES
from govsim.sentences import HOW_TO_USE as HOW_TO_USE  # the sentences: importable from here as before
from govsim.sentences import PHRASE as PHRASE
from govsim.sentences import QUESTION as QUESTION
from govsim.sentences import REPORT as REPORT
from govsim.sentences import REPORT_HEAD as REPORT_HEAD
from govsim.sentences import WARNING as WARNING
from govsim.sentences import phrase as phrase
from govsim.sentences import question as question
from govsim.sentences import report_text as report_text
from govsim.sentences import warning_text as warning_text

CATEGORY: dict[str, Label] = {
    "dispute": Label("dispute", "矛盾纠纷"),
    "safety_hazard": Label("safety hazard", "安全隐患"),
    "livelihood": Label("livelihood request", "民生诉求"),
    "city_management": Label("city management", "城市管理"),
    "petition": Label("petition", "信访"),
    "special_population": Label("special population", "特殊人群"),
}
CHANNEL: dict[str, Label] = {
    "patrol": Label("grid-worker patrol", "网格员巡查"),
    "app": Label("app (邑码解纷)", "邑码解纷App"),
    "hotline": Label("12345 hotline", "12345热线"),
    "walkin": Label("walk-in", "来访"),
    "station": Label("service station", "驿站"),
    "city_system": Label("city system", "城市系统推送"),
}
CHANNEL_STORY: dict[str, Label] = {  # how a ticket began, in a sentence (teaching)
    "patrol": Label("found by the grid worker's patrol", "网格员巡查发现"),
    "app": Label("resident reported on the Yima Jiefen app (邑码解纷)", "居民经邑码解纷上报"),
    "hotline": Label("resident called the 12345 hotline", "居民拨打12345热线"),
    "walkin": Label("resident walked in (信访超市)", "居民到信访超市来访"),
    "station": Label("resident told a station (驿站)", "居民到驿站反映"),
    "city_system": Label("pushed by a city system", "数字城管等系统推送"),
}
END_STATE: dict[str, Label] = {
    "closed": Label("closed", "已办结"),
    "open": Label("open at the horizon", "未办结"),
    "merged": Label("merged duplicate", "重复合并"),
}
DEPARTMENT: dict[str, Label] = {
    "justice": Label("justice", "司法"),
    "emergency": Label("emergency management", "应急管理"),
    "civil_affairs": Label("civil affairs", "民政"),
    "urban_management": Label("urban management", "城管"),
    "petition_bureau": Label("petition bureau", "信访局"),
}
SEVERITY: dict[int, Label] = {
    1: Label("minor", "轻微"),
    2: Label("general", "一般"),
    3: Label("major", "重大"),
}
FOCUS: dict[str, Label] = {  # the four focuses 四个着力
    "grid": Label("grid", "强网格"),
    "platform": Label("platform", "强平台"),
    "fusion": Label("data fusion", "强数智融合"),
    "mechanism": Label("mechanism", "强机制协同"),
    "total": Label("total", "合计"),
}
LEVER: dict[str, Label] = {  # levers a class moves (``govsim.levers``, field name), with the unit shown
    "staffing": Label("grid workers (×)", "网格员配备(倍)"),
    "admission_cap_hours": Label("task cap (h/week)", "入格事项上限(时/周)"),
    "resident_points": Label("resident points", "居民积分(分/次)"),
    "stationed": Label("stationed", "部门常驻"),
    "routing_accuracy": Label("routing accuracy", "智能分拨准确率"),
    "deadline_scale": Label("time limits (×)", "办理时限(倍)"),
}
POLICY: dict[str, Label] = {  # a policy preset's one name per language, in tables, figures and lessons
    "baseline": Label("status quo", "现状"),
    "grid": Label("grid", "强网格"),
    "platform": Label("platform", "强平台"),
    "fusion": Label("fusion", "强数智融合"),
    "mechanism": Label("mechanism", "强机制协同"),
    "all_four": Label("all four focuses", "四个着力"),
}
WEEK_PLAN: dict[str, Label] = {  # a grid worker's week (lesson 01), hours a week; visits are among the tasks
    "day": Label("day", "第几天"),
    "skill": Label("skill (0–1)", "技能(0–1)"),
    "on_duty": Label("on duty (h)", "在岗(时)"),
    "tasks": Label("admitted tasks (h)", "入格事项(时)"),
    "visits": Label("of which home visits (h)", "其中走访(时)"),
    "training": Label("training (h)", "培训(时)"),
    "onsite": Label("on-site resolution (h)", "现场化解(时)"),
    "patrol": Label("patrol (h)", "巡查(时)"),
}
LESSON: dict[str, Label] = {  # sentences a lesson prints, filled in with ``str.format``
    "found_on_patrol": Label(
        "incidents found on patrol in grid {grid}: {count:,}", "网格 {grid} 的网格员巡查共发现 {count:,} 件事"
    ),
}
PATROL: dict[str, Label] = {
    "uniform": Label("uniform patrol", "均匀巡查"),
    "hotspot": Label("hotspot-guided patrol", "热点图引导巡查"),
}
STAGE: dict[str, Label] = {  # record column, in closed-loop order
    "t_occur": Label("occurs (latent)", "发生(潜在)"),
    "t_report": Label("found / reported", "巡查/上报"),
    "t_triage_start": Label("centre triage", "中心分拨"),
    "t_triage_end": Label("dispatched", "流转"),
    "t_dept_arrive": Label("at the department", "到达部门"),
    "t_handle_start": Label("handling starts", "处置"),
    "t_handle_end": Label("handled", "办结"),
    "t_close": Label("feedback, closed", "反馈"),
}
KPI: dict[str, Label] = {  # the KPI module's own names, in display order, plus backlog and cost
    **{k.key: Label(k.en, k.zh) for k in _KPI_DEFINITIONS if k.kind != "count" or k.key == "incidents"},
    "backlog_mean": Label("backlog, mean (tickets)", "积压均值(件)"),
    **{k.key: Label(k.en, k.zh) for k in _KPI_DEFINITIONS if k.kind == "count" and k.key != "incidents"},
    "cost_per_year": Label("cost, yuan per year", "成本(元/年)"),
}
"""KPI labels: each indicator's names live with its definition (``govsim.kpidefs.DEFINITIONS``)."""
RATE_SUFFIXES: tuple[str, ...] = ("rate", "share")
"""A non-KPI key that ends so is a proportion; ask ``is_rate``, which knows the KPIs by their definition."""
COUNT_KPIS: frozenset[str] = frozenset(k.key for k in _KPI_DEFINITIONS if k.kind == "count")
"""KPIs that are counts: shown as integers."""


def is_rate(key: str) -> bool:
    """Whether ``key`` is a proportion (shown as a percentage).

    A KPI is one when its definition says so (``govsim.kpis.RATES``: 15秒接通率 is ``answered_15s``); any
    other key (a sweep's metric, a column) when it ends in ``RATE_SUFFIXES``.
    """
    return key in _RATES or key.endswith(RATE_SUFFIXES)


COUNTY: dict[str, Label] = {  # the county-level divisions of the shipped territories
    "蓬江区": Label("Pengjiang District", "蓬江区"),
    "江海区": Label("Jianghai District", "江海区"),
    "新会区": Label("Xinhui District", "新会区"),
    "台山市": Label("Taishan", "台山市"),
    "开平市": Label("Kaiping", "开平市"),
    "鹤山市": Label("Heshan", "鹤山市"),
    "恩平市": Label("Enping", "恩平市"),
    "示范县": Label("Demo County", "示范县"),
    "验证县": Label("Validation County", "验证县"),
}
TOWN_STEMS: dict[str, Label] = {
    "示范镇": Label("Demo Town", "示范镇"),
    "验证镇": Label("Validation Town", "验证镇"),
}
_NUMBERED_TOWN = re.compile(r"^(.+?)镇街(\d+)$")


def county_label(name: str, lang: str, index: int | None = None) -> str:
    """A county's name in ``lang``; in English an unknown Chinese name becomes ``county N`` (``index`` N−1).

    Without ``index`` (tables: each row must stay its county's, and be read back) an unknown name is
    kept as it is: labelling them all ``county 1`` had merged a user territory's counties.
    """
    if lang == "zh" or name.isascii():
        return name
    if name in COUNTY:
        return say(COUNTY[name], lang)
    return name if index is None else f"county {index + 1}"


def town_label(name: str, lang: str, index: int = 0) -> str:
    """A town's name in ``lang``: ``蓬江镇街03`` is ``Pengjiang town 03``; else ``town N``."""
    if lang == "zh" or name.isascii():
        return name
    if name in TOWN_STEMS:
        return say(TOWN_STEMS[name], lang)
    m = _NUMBERED_TOWN.match(name)
    if m:
        county = next((c.en for k, c in COUNTY.items() if k.startswith(m.group(1))), None)
        if county:
            return f"{county.split()[0]} town {m.group(2)}"
    return f"town {index + 1}"


# ---- table headers (CSV, workbook, report) --------------------------------------------------------------
COLUMN: dict[str, Label] = {
    "by": Label("breakdown", "分组方式"),
    "group": Label("group", "分组"),
    "all": Label("all", "全部"),
    "category": Label("category", "事件类别"),
    "county": Label("county", "县(市、区)"),
    "town": Label("town", "镇街"),
    "department": Label("department", "部门"),
    "servers": Label("staff", "人员数"),
    "utilisation": Label("utilisation", "利用率"),
    "waiting_at_end": Label("waiting at the horizon", "期末等待件数"),
    "oldest_wait_days": Label("oldest wait (days)", "最长等待(天)"),
    "resolution_n": Label("resolution time: tickets (closed and open)", "办结时长:工单数(含未办结)"),
    "resolution_open": Label("resolution time: still open (censored)", "办结时长:未办结(删失)"),
    "busy_staff_days": Label("busy staff-days in the window", "期内忙碌人日"),
    "scheduled_staff_days": Label("scheduled staff-days in the window", "期内排班人日"),
    "backlog_at_end": Label("open at the desk at the horizon", "期末在办件数"),
    "oldest_open_days": Label("oldest open case at the desk (days)", "期末最久在办(天)"),
    "item": Label("cost item", "成本项目"),
    "yuan": Label("yuan", "金额(元)"),
    "yuan_per_year": Label("yuan per year", "金额(元/年)"),
    "focus": Label("focus", "着力方向"),
    "arrivals": Label("reports", "上报数"),
    "closures": Label("closed", "办结数"),
    "backlog": Label("backlog", "积压"),
    "population": Label("residents", "常住人口"),
    "reports_per_1000": Label("reports per 1,000 residents per year", "每千人年上报数"),
    "reports_all": Label(
        "all tickets reported (incl. duplicates and false reports)", "上报工单总数(含重复、虚假上报)"
    ),
    "stage": Label("stage", "环节"),
    "day": Label("day", "第几天"),
    "wait": Label("days since last step", "间隔(天)"),
    "detail": Label("detail", "说明"),
    "kpi": Label("indicator", "指标"),
    "value": Label("value", "数值"),
}
COST_ITEM: dict[str, Label] = {  # the cost items of ``govsim.policies.COST_FOCUS``
    "grid_workers": Label("grid workers", "网格员"),
    "training": Label("training", "培训"),
    "incentives": Label("incentives", "激励"),
    "mentoring": Label("mentoring", "传帮带"),
    "portal": Label("worker portal", "网格员工作平台"),
    "resident_points": Label("resident points", "居民积分"),
    "triage_staff": Label("centre triage staff", "中心分拨人员"),
    "graded_triage": Label("graded triage (rule, drills, review)", "分类分级研判"),
    "demonstration": Label("demonstration centres", "示范中心建设"),
    "stationed": Label("stationed department staff", "职能部门人员常驻"),
    "one_window": Label("one-window service", "一窗受理"),
    "liaison": Label("liaison", "联络协调"),
    "hotline_seats": Label("12345 seats", "12345坐席"),
    "hotline_app": Label("12345 app-first routing", "12345引导至应用"),
    "qiao_window": Label("overseas-Chinese one window", "侨情一窗受理"),
    "integration": Label("channel integration", "渠道整合"),
    "dedup": Label("duplicate merging", "重复工单合并"),
    "routing": Label("smart routing", "智能分拨"),
    "hotspot": Label("hotspot map analytics", "热点图分析"),
    "data_import": Label("data import", "数据导入"),
    "visits_on_platform": Label("home visits on the platform", "走访上平台"),
    "department_staff": Label("department staff", "部门人员"),
    "mediators": Label("mediators", "调解员"),
    "stations": Label("service stations", "驿站"),
    "case_library": Label("case library", "案例库"),
    "worker_points": Label("worker points", "网格员积分"),
    "accountability": Label("accountability", "问责考核"),
}


SHEET: dict[str, Label] = {  # sheets of results.xlsx (govsim.tables)
    "kpis": Label("Indicators", "指标"),
    "category": Label("By category", "按类别"),
    "county": Label("By county", "按县(市、区)"),
    "town": Label("By town", "按镇街"),
    "costs": Label("Costs", "成本"),
    "utilisation": Label("Utilisation", "部门利用率"),
}
PART: dict[str, Label] = {  # beside each rate in kpis.csv, so that runs, towns and cities pool exactly
    "num": Label("numerator", "分子"),
    "den": Label("denominator", "分母"),
}


def column(key: str, lang: str) -> str:
    """A table header in ``lang``: a column name, KPI key (or a rate's ``_num``/``_den``) or identifier."""
    for table in (COLUMN, KPI):
        if key in table:
            return say(table[key], lang)
    base, _, part = key.rpartition("_")
    if part in PART and base in KPI:
        sep = "" if lang == "zh" else ": "
        return f"{say(KPI[base], lang)}{sep}{say(PART[part], lang)}"
    return lookup(COLUMN, key, lang)


# ---- figure text ----------------------------------------------------------------------------------------
TEXT: dict[str, Label] = {
    "backlog_title": Label("Backlog and latent incidents", "积压与潜在事件"),
    "day": Label("days since the start of the run", "自仿真开始的天数"),
    "count": Label("number of incidents", "事件数(件)"),
    "backlog": Label("backlog (reported, not closed)", "积压(已上报未办结)"),
    "backlog_axis": Label("backlog (tickets)", "积压(件)"),
    "latent": Label("latent (not yet found)", "潜在(尚未发现)"),
    "resolution_title": Label("Resolution time by category", "各类事件办结时长"),
    "resolution": Label("days from report to close (log scale)", "从上报到办结的天数(对数刻度)"),
    "share": Label("share of closed incidents", "占已办结事件比例"),
    "hotspot_title": Label("Demand heat map per grid (schematic)", "群众诉求热点图(网格示意)"),
    "hotspot_note": Label(
        "Schematic: one square per grid, towns as numbered blocks inside their county; not geography.",
        "示意图:每格一个网格,镇街为所属县(市、区)内的编号方块;不代表地理位置。",
    ),
    "towns": Label("Towns", "镇街"),
    "per_1000": Label("reports per 1,000 residents per year", "每千人年上报数"),
    "forest_title": Label(
        "Effect of each policy vs the reference (95 % CI, paired)", "各政策相对参照的效果(95%置信区间,配对)"
    ),
    "pct_change": Label("% change vs reference (95 % CI, Fieller)", "相对参照的变化%(95%置信区间,Fieller法)"),
    "forest_note": Label(
        "Point: % change of the policy mean vs the reference mean. Bar: its 95 % interval (Fieller's, for "
        "the ratio of paired means), which excludes 0 exactly when the paired difference's interval does. "
        "Hollow point: no interval (one replication, or a reference mean not clear of 0).",
        "点:政策均值相对参照均值的变化%。横线:其95%置信区间(Fieller法,配对均值之比),当且仅当配对差值的"
        "区间不含0时它不含0。空心点:无区间(只有一次重复,或参照均值与0分不开)。",
    ),
    "bands_title": Label(
        "Daily backlog, mean over replications with 95 % band", "每日积压:各次重复的均值及95%区间"
    ),
    "warmup": Label("warm-up (not measured)", "预热期(不计入指标)"),
    "ce_title": Label("Cost-effectiveness vs the reference", "相对参照的成本效果"),
    "delta_cost": Label("extra cost, yuan per year", "新增成本(元/年)"),
    "improvement": Label("improvement", "改善"),
    "sensitivity_title": Label("Global sensitivity (Morris)", "全局敏感性(Morris)"),
    "mu_star": Label("mean |elementary effect| μ*", "平均绝对基本效应 μ*"),
    "sobol_title": Label("Global sensitivity (Sobol)", "全局敏感性(Sobol)"),
    "sobol_index": Label("Sobol index (first order S1, total ST)", "Sobol指数(一阶S1,总效应ST)"),
    "factor": Label("factor", "因素"),
    "status_quo": POLICY["baseline"],  # the slider figure's reference run: the baseline preset
    "this_setting": Label("this setting", "当前设置"),
    "times_days": Label("Times (days)", "时长(天)"),
    "rates_pct": Label("Rates (%)", "比例(%)"),
    "cost_vs_status_quo": Label(
        "cost vs status quo: {cost:+,.0f} × 10k yuan a year", "年成本比现状 {cost:+,.0f} 万元"
    ),
    "updated_in": Label("updated in", "更新用时"),
    "replications_title": Label(
        "Each replication: the same incidents for every policy", "每次重复:各政策遇到同一批事件"
    ),
}


def text(key: str, lang: str) -> str:
    """Figure text ``key`` in ``lang``."""
    return say(TEXT[key], lang)
