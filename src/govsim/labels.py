"""Every word govsim shows a reader, in Chinese and English, in one place.

Figures (``plots``), tables and the run summary (``metrics``), the sweep report (``report``), the
workbook (``runner``) and the teaching helpers (``teaching*``) look their labels up here, so a term
is translated once and the two languages stay in step. Each entry is a ``Label(en, zh)``; ``say``
picks the language. Keys are govsim's identifiers (category and channel names of ``govsim.config``,
KPI keys of ``govsim.metrics``, record column names of ``govsim.records``).

Chinese terms follow the seed article and common usage in grassroots governance (网格员, 流转, 处置,
办结, 按期办结率…); English renderings are the usual ones in the literature on China's grid management.
County names of the Jiangmen scenario are those of the city's seven county-level divisions.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from govsim.kpis import DEFINITIONS as _KPI_DEFINITIONS


class Label(NamedTuple):
    """One term in English and in Chinese."""

    en: str
    zh: str


LANGS: tuple[str, ...] = ("zh", "en")


def say(label: Label, lang: str) -> str:
    """``label`` in ``lang`` (``'zh'`` or ``'en'``)."""
    return label.zh if lang == "zh" else label.en


def lookup(table: dict[str, Label], key: str, lang: str) -> str:
    """``table[key]`` in ``lang``; an unknown key shows as itself (underscores as spaces in English)."""
    if key in table:
        return say(table[key], lang)
    return key if lang == "zh" else key.replace("_", " ")


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
POLICY: dict[str, Label] = {  # English: the policy's config name, as typed on the command line
    "baseline": Label("baseline", "现状"),
    "grid": Label("grid", "强网格"),
    "platform": Label("platform", "强平台"),
    "fusion": Label("fusion", "强数智融合"),
    "mechanism": Label("mechanism", "强机制协同"),
    "all_four": Label("all_four", "四个着力"),
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
"""KPI labels: each indicator's names live with its definition (``govsim.kpis.DEFINITIONS``)."""
RATE_SUFFIXES: tuple[str, ...] = ("rate", "share")
"""A KPI whose key ends so is a proportion: shown as a percentage."""
COUNT_KPIS: frozenset[str] = frozenset(k.key for k in _KPI_DEFINITIONS if k.kind == "count")
"""KPIs that are counts: shown as integers."""


def is_rate(key: str) -> bool:
    """Whether KPI ``key`` is a proportion (shown as a percentage)."""
    return key.endswith(RATE_SUFFIXES)


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


def county_label(name: str, lang: str, index: int = 0) -> str:
    """A county's name in ``lang``; in English an unknown Chinese name becomes ``county N``."""
    if lang == "zh" or name.isascii():
        return name
    return say(COUNTY[name], lang) if name in COUNTY else f"county {index + 1}"


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
    "pct_change": Label("% change vs reference", "相对参照的变化(%)"),
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
    "status_quo": Label("status quo", "基线"),
    "this_setting": Label("this setting", "当前设置"),
    "times_days": Label("Times (days)", "时长(天)"),
    "rates_pct": Label("Rates (%)", "比例(%)"),
    "cost_vs_status_quo": Label(
        "cost vs status quo: {cost:+,.0f} × 10k yuan a year", "年成本比基线 {cost:+,.0f} 万元"
    ),
    "updated_in": Label("updated in", "更新用时"),
}


def text(key: str, lang: str) -> str:
    """Figure text ``key`` in ``lang``."""
    return say(TEXT[key], lang)


# ---- the sweep report (govsim-report) -------------------------------------------------------------------
REPORT_HEAD: dict[str, Label] = {
    "stratum": Label("stratum", "情景"),
    "arm": Label("policy", "政策"),
    "metric": Label("metric", "指标"),
    "reference": Label("reference", "参照"),
    "value": Label("policy mean", "政策均值"),
    "diff": Label("difference", "差值"),
    "ci": Label("95 % CI", "95%置信区间"),
    "pct_change": Label("% change [95 % CI]", "变化% [95%置信区间]"),
    "delta_cost": Label("Δ cost, yuan/yr", "新增成本(元/年)"),
    "cost_per_unit": Label("cost per unit improved", "单位改善成本"),
    "variance_reduction": Label("CRN variance reduction", "CRN方差缩减"),
    "n_pairs": Label("n", "n"),
    "reps_now": Label("replications now", "现有重复次数"),
    "rel_half_width": Label("largest relative half-width", "最大相对半宽"),
    "reps_needed": Label("replications needed", "所需重复次数"),
}
REPORT: dict[str, Label] = {
    "note": Label(
        "Difference = policy − reference, paired by replication (common random numbers); rates in %, their "
        "differences in percentage points (pp). Δ cost: extra cost per year. Cost per unit improved: extra "
        "yuan per year per unit of improvement (a day for times, an incident for backlog, a point for "
        "rates); — where the policy does not improve the metric, —¹ where the difference's 95 % interval "
        "includes zero (no improvement shown, so no price for it). CRN variance reduction: 1 − Var(paired "
        "difference) / (Var(policy) + Var(reference)).",
        "差值 = 政策 − 参照,按重复次数配对(共同随机数);比例以%表示,其差值以百分点(pp)表示。新增成本:"
        "每年多花的钱。单位改善成本:每改善一个单位(时长为1天,积压为1件,比例为1个百分点)每年多花的元数;"
        "政策未改善该指标处记为 —;差值的95%置信区间包含零处记为 —¹(改善未得到证实,不计价)。"
        "CRN方差缩减:1 − Var(配对差值) / (Var(政策) + Var(参照))。",
    ),
    "null_effect": Label(
        "¹ No cost per unit: the difference's 95 % interval includes zero, so no improvement is shown.",
        "¹ 无单位改善成本:差值的95%置信区间包含零,改善未得到证实。",
    ),
    "comparison": Label("Comparison", "政策比较"),
    "replications": Label("Replications", "重复次数"),
    "replications_intro": Label(
        "Replications for a 95 % half-width within ±{precision:.0%} of each arm's mean (Law's rule from the "
        "current standard deviation; the worst arm):",
        "使各政策均值的95%置信区间半宽不超过均值的±{precision:.0%}所需的重复次数(按Law的规则,由当前标准差"
        "估计;取最不利的政策):",
    ),
    "warning": Label("Warning", "警告"),
    "single": Label(
        "{n} comparisons rest on a single replication: no confidence interval is given for them (an "
        "interval needs at least 2 replications; see the guidance below)",
        "有{n}项比较只有一次重复:没有给出置信区间(置信区间至少需要2次重复;见下文的重复次数建议)",
    ),
    "status": Label(
        "{name}: {completed}/{expected} jobs complete, {failed} failed, {missing} missing",
        "{name}:{completed}/{expected} 个作业完成,{failed} 个失败,{missing} 个缺失",
    ),
    "status_failed": Label("  failed {job}: {error}", "  失败 {job}:{error}"),
    "status_incomplete": Label(
        "  not complete: no confidence intervals are built from a partial set; re-run the same command to "
        "finish (completed jobs are skipped)",
        "  未完成:不完整的作业集不计算置信区间;重新运行同一命令即可补完(已完成的作业会跳过)",
    ),
    "status_warmup": Label(
        "  warm-up: {mode}, configured {configured:g} d, MSER-5 {mser5:g} d, used {used:g} d",
        "  预热期:{mode},设定 {configured:g} 天,MSER-5 {mser5:g} 天,采用 {used:g} 天",
    ),
    "status_unsettled": Label(" (MSER-5: backlog not settled, run longer)", "(MSER-5:积压未稳定,请延长运行)"),
    "run_directory": Label("run directory: {path}", "运行目录:{path}"),
    "partial": Label(
        "**PARTIAL**: {done} of {expected} jobs complete; intervals use only the replications present for "
        "both arms.",
        "**部分结果**:{expected}个作业中完成了{done}个;置信区间只用两组都有的重复。",
    ),
    "scenario_line": Label(
        "scenario `{scenario}`, horizon {horizon:g} days, seed {seed}, replications per arm: {reps}",
        "情景 `{scenario}`,仿真{horizon:g}天,随机种子{seed},每个政策重复{reps}次",
    ),
    "warmup_line": Label(
        "warm-up: {mode}; configured {configured:g} d; MSER-5 on the mean daily backlog {mser5:g} d{drift}; "
        "used {used:g} d",
        "预热期:{mode};设定{configured:g}天;按日均积压的MSER-5为{mser5:g}天{drift};采用{used:g}天",
    ),
    "not_settled": Label(" (not settled: the backlog still drifts)", "(尚未稳定:积压仍在漂移)"),
    "jobs_line": Label(
        "jobs: {done}/{expected} complete, {failed} failed; code `{code}`; common random numbers: streams "
        "keyed on (seed, replication)",
        "作业:完成{done}/{expected},失败{failed};代码版本 `{code}`;共同随机数:随机流按(种子, 重复)生成",
    ),
    "no_extra_cost": Label("0 (no extra cost)", "0(不增加成本)"),
    "dominates": Label("dominates (cheaper, better)", "占优(更省且更好)"),
    "sensitivity": Label(
        "Global sensitivity ({method}, {n} design points)", "全局敏感性({method},{n}个设计点)"
    ),
    "figures": Label("Figures", "图"),
}


QUESTION: dict[str, Label] = {  # the shipped experiments' questions (configs/experiment/*.yaml)
    "four_focus": Label(
        "Which of the four focuses, alone or together, shortens resolution time and backlog, and at what "
        "cost?",
        "四个着力单独或合起来,哪一项缩短了办结时长、减少了积压?代价多大?",
    ),
    "admission_sweep": Label(
        "Does reviewing the tasks admitted into the grid (入格审查) free patrol time and find incidents "
        "earlier?",
        "入格审查(清理进入网格的事项)能否腾出巡查时间、更早发现事件?",
    ),
    "levers_uncertainties": Label(
        "Does each focus keep its advantage over the baseline when demand grows and grid-worker turnover "
        "rises?",
        "在诉求增长、网格员流失加剧时,各个着力相对现状的优势还在吗?",
    ),
    "sensitivity": Label(
        "Which levers move resolution time, backlog and cost most over their plausible ranges?",
        "在合理范围内,哪些政策杠杆对办结时长、积压和成本影响最大?",
    ),
    "staffing_sweep": Label(
        "How do resolution time, discovery delay and backlog respond to grid-worker staffing, and where do "
        "returns per yuan diminish?",
        "办结时长、发现时滞和积压随网格员配备如何变化?每元投入的收益从哪里开始递减?",
    ),
}


def question(name: str, text: str, lang: str) -> str:
    """Experiment ``name``'s question in ``lang``: the Chinese of a shipped question, else as written."""
    known = QUESTION.get(name)
    return known.zh if lang == "zh" and known is not None and known.en == text else text


def report_text(key: str, lang: str, **values: object) -> str:
    """A sentence of the sweep report in ``lang``, with ``values`` filled in."""
    return say(REPORT[key], lang).format(**values)


# ---- warnings a user sees (printed as ``govsim: warning: ...``) -------------------------------------------
WARNING: dict[str, Label] = {
    "overload": Label(
        "department {dept}: estimated utilisation {rho:.2f} >= 1 (staff_per_100k={staff:g} x "
        "department_staffing={scale:g}): its queue grows all run long",
        "部门 {dept}({name}):估计利用率 {rho:.2f} >= 1(staff_per_100k={staff:g} × "
        "department_staffing={scale:g}):其排队在整个仿真期内不断增长",
    ),
    "grid_floor": Label(
        "policy.grid.staffing={staffing:g}: {heads:.2f} workers per grid is under one worker per grid, the "
        "model's floor (every grid keeps its own worker); the run is the same as at staffing={floor:g}",
        "policy.grid.staffing={staffing:g}:每格 {heads:.2f} 名网格员,低于一格一员的下限(每个网格保留"
        "自己的网格员);本次运行与 staffing={floor:g} 相同",
    ),
    "single_replication": Label(
        "a single replication: results carry no confidence interval and differ from seed to seed; use 5 "
        "or more replications to compare policies",
        "只有一次重复:结果没有置信区间,且随随机种子而变;比较政策请至少重复5次",
    ),
    "merged": Label(
        "{name}={value}: the same run as {name}={first}; merged",
        "{name}={value}:与 {name}={first} 是同一次运行,已合并",
    ),
    "n_jobs": Label(
        "hydra.launcher.n_jobs={n}: more than the {cores} cores of this machine; using {cores}",
        "hydra.launcher.n_jobs={n}:超过本机的 {cores} 个核心;改用 {cores}",
    ),
}


def warning_text(key: str, lang: str, **values: object) -> str:
    """A warning in ``lang`` with ``values`` filled in."""
    return say(WARNING[key], lang).format(**values)


# ---- classroom and summary text (teaching.py, metrics.py) ----------------------------------------------
PHRASE: dict[str, Label] = {  # templates: ``phrase(key, lang, **values)`` fills them in
    "cost_10k": Label("cost (10k yuan a year)", "年成本(万元)"),
    "cost_10k_yr": Label("cost (10k yuan/yr)", "年成本(万元/年)"),
    "open_share_note": Label(
        "note: {share:.0%} of tickets are still open at the horizon; times are censored (Kaplan–Meier) "
        "estimates and on-time rate counts them as overdue once due.",
        "注意:{share:.0%} 的工单在期末仍未办结;时长为删失估计(Kaplan–Meier),按期办结率将其计为逾期。",
    ),
    "demand_level": Label("demand level", "诉求强度"),
    "grid": Label("grid", "网格"),
    "still_open": Label("still open at the horizon", "仿真结束时仍在办"),
    "open": Label("open", "未办结"),
    "severity_now": Label("now", "上报时"),
    "misrouted": Label("after {n} mis-route(s) and return", "误派{n}次后退回重派"),
    "satisfied": Label("satisfied", "群众满意"),
    "unsatisfied": Label("unsatisfied", "群众不满意"),
    "reopened": Label(", reopened {n}×", ", 返工{n}次"),
    "on_the_spot": Label("resolved on the spot by the grid worker", "网格员就地化解"),
    "late": Label("late (limit: day {limit})", "逾期(时限: 第{limit}天)"),
    "on_time": Label("on time (limit: day {limit})", "按期(时限: 第{limit}天)"),
    "sent_to": Label("to ", "派往"),
    "loop_title": Label("One ticket around the loop (bar: wait)", "一件事的闭环(条 = 到达该环节前的等待)"),
    "discovery_mean": Label("mean discovery delay (days)", "发现时滞均值(天)"),
    "busy_found_sooner": Label("Are busy grids found sooner?", "热点网格发现得更快吗?"),
    "policy": Label("policy", "政策"),
    "indicator": Label("indicator", "指标"),
    "difference": Label("difference", "差值"),
    "half_width_crn": Label("half-width, CRN", "半宽(共同随机数)"),
    "half_width_independent": Label("half-width, independent", "半宽(各自独立)"),
    "variance_removed": Label("variance removed", "方差减少"),
    "replication_same": Label("replication (same incidents)", "第几次重复(同一批事件)"),
    "rise_and_fall": Label("Same incidents: policies rise and fall together", "同一批事件下,各政策一起起落"),
}
HOW_TO_USE: dict[str, Label] = {  # the notebooks' first line, by where they run (teaching_views.how_to_use)
    "voila": Label(
        "**How to use:** this page has already run; read it top to bottom, and where there are sliders, "
        "move them and the figures follow.",
        "**使用方法:** 本页已自动运行完毕,从上往下看即可;有滑块的地方拖动滑块,图表会随之更新。",
    ),
    "lab": Label(
        "**How to use:** run the cells top to bottom (Shift+Enter); you may change a number in the code "
        "and run it again.",
        "**使用方法:** 从上到下依次运行每个单元格(Shift+Enter);可以修改代码里的数字后重新运行。",
    ),
}


def phrase(key: str, lang: str, **values: object) -> str:
    """Classroom or summary text ``key`` in ``lang`` with ``values`` filled in."""
    return say(PHRASE[key], lang).format(**values)
