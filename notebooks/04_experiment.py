# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 实验 · Reading an experiment
#
# 一次模拟只是"可能的一年"。要回答"哪项措施更好、好多少",研究人员做**实验**:每项政策重复模拟多次,
# 比较平均差值,并给出 **95% 置信区间**。本节先读一份做好的实验结果(四个着力,江门按四分之一人口缩小),
# 再在课堂上用一个镇现场做一个小实验,弄清这些数字的意思。
#
# *One simulation is one possible year. To ask "which measure is better, and by how much", researchers run
# an **experiment**: each policy many times, the mean difference, and a **95 % confidence interval**. We
# read a finished experiment (four focuses, Jiangmen at a quarter of its population), then run a small one
# live on one town to see what the numbers mean.*

# %%
LANG = "zh"  # "zh" 中文 / "en" English
SEED = 0
REPLICATIONS = 3  # 每项政策重复几次 / replications per policy (more = narrower intervals, longer wait)

from IPython.display import Markdown, display

from govsim import analysis, plots, teaching
from govsim import teaching_experiment as tx
from govsim.report import comparison_markdown
from govsim.teaching import show

display(teaching.how_to_use(LANG))  # 按打开方式给出说明 / instructions for JupyterLab or Voilà

# %% [markdown]
# ## 1. 做好的实验:四个着力 · A finished experiment: the four focuses
#
# 实验结果保存在 `experiments/four_focus/`(用 `govsim-experiment` 运行,`govsim-report` 生成报告;那里的
# README 写明了命令、规模和重复次数)。下表每一行是"某项政策比现状"在某个指标上的差值,方括号里是 95%
# 置信区间。这里只列课堂上最常用的几个指标,完整报告见 `experiments/four_focus/results/report.md`。
#
# *Results live in `experiments/four_focus/` (run with `govsim-experiment`, reported with `govsim-report`;
# its README gives the command, scale and replications). Each row: one policy against the status quo on one
# indicator, the difference and its 95 % interval in brackets. Only the indicators most used in class are
# shown; the full report is `experiments/four_focus/results/report.en.md`.*

# %%
finished = tx.load_comparison("four_focus")
if finished is None:
    print(teaching.pick(LANG, "本机还没有四个着力实验的结果;下面用课堂小实验代替。",
                        "No four_focus result in this checkout yet; the class experiment below stands in."))
else:
    finished = finished[finished["metric"].isin(tx.CLASS_METRICS)]
    display(Markdown(comparison_markdown(finished, [], LANG)))
    show(plots.plot_forest(finished, LANG))

# %% [markdown]
# **怎么读 · How to read it:** 表中"差值"是政策均值减现状均值(按重复配对),方括号里是它的 95% 置信区间;
# "变化%"是政策均值比现状均值高或低百分之几。图中的**点是这个变化%**,**横线是它的 95% 置信区间**,按 Fieller
# 法(配对均值之比)计算:当且仅当差值的区间跨过 0 时,这条横线跨过 0,所以表和图的结论总是一致。区间整个在 0
# 的一侧,说明这项政策的效果不是偶然;区间跨过 0,说明在这些重复次数下还分不出好坏。空心点没有区间(只有一次
# 重复,或现状均值本身与 0 分不开)。
#
# *In the table, "difference" is the policy mean minus the status quo's (replications paired), its 95 % interval in
# brackets; "% change" is by how many per cent the policy mean is above or below the status quo's. In the figure
# the **dot is that % change** and the **bar its 95 % interval**, by Fieller's method for the ratio of paired
# means: the bar straddles zero exactly when the difference's interval does, so table and figure always agree. An
# interval wholly on one side of zero means the effect is not chance; one that straddles zero means these
# replications cannot yet tell. A hollow dot has no interval (one replication, or a status-quo mean not clear of
# zero).*
#
# ## 2. 课堂小实验 · A small experiment in class
#
# 一个镇,六种政策(现状;强网格、强平台、强数智融合、强机制协同各一项;四项同时实施的"四个着力"),
# 每种重复 `REPLICATIONS` 次。大约需要半分钟。
#
# *One town, six policies (status quo; each focus on its own; "all four focuses" together), `REPLICATIONS`
# replications each. About half a minute.*

# %%
results = tx.crn_results(tx.CLASS_POLICIES, replications=REPLICATIONS, seed=SEED)
comparison = analysis.compare(results, reference={"arm": "policy=baseline"}, strata=[],
                              metrics=list(tx.CLASS_METRICS))
show(plots.plot_forest(comparison, LANG))

# %%
display(Markdown(comparison_markdown(comparison, [], LANG)))

# %% [markdown]
# ## 3. 共同随机数,用大白话说 · Common random numbers, in plain words
#
# 比较两位网格员谁干得好,最公平的办法是让他们处理**同一批事**。模拟也一样:第 1 次重复里,每种政策
# 遇到的是**同一批**事件——同样的发生时间、同样的网格、同样的类别和严重程度;第 2 次重复换另一批,
# 依此类推。这叫**共同随机数**。它保证的只是"出的事一样":事情出来以后谁发现、多快流转、部门怎么排队,
# 取决于政策,也还带着各自的偶然。所以差值里去掉的是"这一年出事多还是少"的那部分运气,不是全部运气。
#
# *To judge which of two grid workers does better, give them **the same cases**. So here: in replication 1
# every policy meets **the same** incidents — the same times of occurrence, the same grids, the same
# categories and severities; replication 2 draws another set, and so on. These are **common random
# numbers**. They guarantee only that the same things happen: who finds them, how fast they are routed and
# how the departments queue them depend on the policy, and keep some chance of their own. So the difference
# is rid of the luck of a year with many or few incidents, not of all luck.*
#
# 下图:三种政策在第 1、2、3 次重复中的办结时长。同一次重复里各点之间的距离,是这批事件下政策的差别。
# 线不一定同步升降:同一批事件,在一种政策下可能是"难的一年",在另一种政策下并不难。
# 差值因此稳定了多少,看后面的表("方差减少")。
#
# *Below: resolution time of three policies in replications 1, 2 and 3. At each replication the distance
# between the points is the policies' difference on the same incidents. The lines need not move in step:
# the same incidents can make a hard year under one policy and an easy one under another. How much steadier
# the difference became is in the table further down ("variance removed").*

# %%
show(tx.plot_replications(results, "resolution_mean", ["policy=baseline", "policy=grid", "policy=all_four"],
                          LANG))

# %% [markdown]
# 共同随机数让置信区间窄了多少?"各自独立"一列是每种政策各抽各的事件时,同样重复次数下的区间半宽。
#
# *How much narrower did CRN make the intervals? The "independent" column is the half-width the same number of
# replications would give if each policy drew its own incidents.*
#
# "方差减少"为负数(例如 −28%)说明:在这个指标上,配对差值反而比各自独立抽样时更分散——共同随机数对它没有
# 帮助(同一批事件下两种政策反而此起彼伏),它的区间也不因此变窄。四舍五入为 0 的数显示为 0。
#
# *A negative "variance removed" (say −28 %) means that for this indicator the paired difference was noisier than
# independent draws would make it — CRN did not help it (on the same incidents the two policies tended to move in
# opposite directions), and its interval is no narrower for it. Numbers that round to zero show as 0.*

# %%
tx.crn_table(comparison, LANG)

# %% [markdown]
# ## 课后思考 · Questions for the class
#
# 1. (在 JupyterLab 中)把 `REPLICATIONS` 从 3 改成 6,区间变窄了多少?(半宽 = t 分位数 × 标准差 / √n;
#    从 3 次到 6 次,t 分位数从 4.30 降到 2.57,半宽约缩到原来的 42%)
#    *(In JupyterLab) change `REPLICATIONS` from 3 to 6: how much narrower are the intervals? (half-width =
#    t quantile × sd / √n; from 3 to 6 the t quantile falls from 4.30 to 2.57, so the half-width shrinks to
#    about 42 %)*
# 2. 一项政策"平均好一点,但区间跨过 0"——向领导汇报时应该怎么说?
#    *A policy is "a bit better on average, but its interval straddles zero" — how would you brief a leader?*
# 3. 一个镇的实验和全市的实验结论一样吗?为什么可能不一样?
#    *Does the one-town experiment agree with the city-wide one? Why might it not?*
