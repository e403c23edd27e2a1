"""Sentences in both languages: the sweep report, questions, warnings, classroom and summary text.

Templates filled in with ``str.format`` (``report_text``, ``warning_text``, ``phrase``); every name is
importable from ``govsim.labels`` as before, where the terms these sentences use are.
"""

from __future__ import annotations

from govsim.bilingual import Label, say

__all__ = [
    "HOW_TO_USE",
    "PHRASE",
    "QUESTION",
    "REPORT",
    "REPORT_HEAD",
    "WARNING",
    "phrase",
    "question",
    "report_text",
    "warning_text",
]


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
        "differences in percentage points (pp). Policy mean and reference: the mean over replications of "
        "each replication's value, for a rate the mean of its per-replication rates — each replication is "
        "one observation, and the intervals are about these observations (rates of towns or counties "
        "within a run are pooled from their counts instead). % change = 100 × (policy mean / reference "
        "mean − 1); its 95 % interval is Fieller's for the ratio of paired means, which excludes 0 exactly "
        "when the difference's 95 % interval excludes 0, so both columns give one verdict. Δ cost: extra "
        "cost per year. Cost per unit improved: extra yuan per year per unit of improvement (a day for "
        "times, an incident for backlog, a point for rates); — where the policy does not improve the "
        "metric, —¹ where the difference's 95 % interval includes zero (no improvement shown, so no price "
        "for it). CRN variance reduction: 1 − Var(paired difference) / (Var(policy) + Var(reference)); "
        "negative where the paired difference was noisier than independent streams would give — CRN did "
        "not help that metric.",
        "差值 = 政策 − 参照,按重复次数配对(共同随机数);比例以%表示,其差值以百分点(pp)表示。政策均值与"
        "参照:各次重复取值的平均,比例也取各次重复比例的平均——每次重复是一个观测,置信区间针对这些观测"
        "(一次运行内各镇街、县的比例则由分子分母合计)。变化% = 100 × (政策均值 / 参照均值 − 1);其95%"
        "置信区间按Fieller法(配对均值之比)计算,当且仅当差值的95%置信区间不含0时它不含0,两列结论一致。"
        "新增成本:每年多花的钱。单位改善成本:每改善一个单位(时长为1天,积压为1件,比例为1个百分点)每年"
        "多花的元数;政策未改善该指标处记为 —;差值的95%置信区间包含零处记为 —¹(改善未得到证实,不计价)。"
        "CRN方差缩减:1 − Var(配对差值) / (Var(政策) + Var(参照));为负表示配对差值比各自独立抽样时更分散"
        "——共同随机数对该指标没有帮助。",
    ),
    "null_effect": Label(
        "¹ No cost per unit: the difference's 95 % interval includes zero, so no improvement is shown.",
        "¹ 无单位改善成本:差值的95%置信区间包含零,改善未得到证实。",
    ),
    "pct_unbounded": Label(
        "² No interval for the % change: the reference mean is not clearly away from zero (its own 95 % "
        "interval includes 0), so Fieller's interval is unbounded; read the difference and its interval.",
        "² 变化%无置信区间:参照均值与0分不开(其自身的95%置信区间包含0),Fieller区间无界;请看差值及其"
        "置信区间。",
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
    "one_arm": Label(
        "The sweep has one arm, {arm}: there is nothing to compare it with, so the report gives its "
        "indicators alone (add arms to the sweep, e.g. policy=baseline,grid, to compare)",
        "本次扫描只有一个组({arm}):没有可比较的对象,报告只给出其指标(在扫描中加入其他组,例如 "
        "policy=baseline,grid,即可比较)",
    ),
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
    "run_header": Label(
        "{scenario} · {policy} · seed {seed} rep {rep} · {seconds:.1f} s",
        "{scenario} · {policy} · 随机种子 {seed} 重复 {rep} · {seconds:.1f} 秒",
    ),
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
    "slow_workers": Label(
        "policy.grid.staffing={staffing:g}: {workers:,.0f} grid-worker agents ({heads:,.0f} per grid; a grid "
        "has one to a few), each built and stepped every week: about {minutes:.0f} min for them alone",
        "policy.grid.staffing={staffing:g}:共 {workers:,.0f} 个网格员智能体(每格 {heads:,.0f} 名;一个网格"
        "通常只有一到几名),每个都要创建并每周运行:仅此一项约需 {minutes:.0f} 分钟",
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
