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
# # 02 四个着力 · The four focuses, lever by lever
#
# 江门提升基层社会治理水平的"四个着力":**强网格、强平台、强数智融合、强机制协同**。本节课用滑块
# 改变每一项措施,不到一秒后图表更新,与现状(虚线/蓝柱)对比。
#
# *Jiangmen's "four focuses" for grassroots governance: **strengthen the grid, the platform,
# data-intelligence fusion and mechanism coordination**. Move a slider; in under a second the figures
# update, compared with the status quo (dashed line / blue bars).*
#
# | 着力 focus | 滑块 slider | 它改变什么 what it moves |
# |---|---|---|
# | 强网格 grid | 网格员配备 grid workers | 巡查时间、发现时滞 patrol hours, discovery delay |
# | 强网格 grid | 入格事项上限 task cap (入格审查) | 网格员被行政事务占用的时间 hours lost to admitted tasks |
# | 强网格 grid | 居民积分 resident points (积分回馈) | 群众上报(也有虚报)reports (and false ones) |
# | 强平台 platform | 部门常驻 stationed departments | 流转时间 routing time |
# | 强数智融合 fusion | 智能分拨准确率 routing accuracy | 误派和退回 mis-routes and returns |
# | 强机制协同 mechanism | 办理时限 time limits | 逾期、督办升级 overdue cases, escalation |
#
# 每次模拟用同一个种子:发生的事情完全相同,差别只来自政策(共同随机数)。
# *Every run uses the same seed, so the same incidents happen and the difference is the policy's
# (common random numbers).*

# %%
LANG = "zh"  # "zh" 中文 / "en" English
SEED = 0

from IPython.display import display

from govsim import teaching
from govsim.teaching import show
from govsim.teaching_widgets import LeverPanel, lever_figure

display(teaching.how_to_use(LANG))  # 按打开方式给出说明 / instructions for JupyterLab or Voilà

# %% [markdown]
# ## 1. 滑块 · The sliders
#
# 松开滑块后图表更新。左:全镇积压;中:各段时长(天);右:关键比例(%)。标题是年成本相对现状的变化。
#
# *The figures update when you release a slider. Left: the town's backlog; middle: times in days; right:
# key rates in per cent. The title gives the change in yearly cost against the status quo.*

# %%
panel = LeverPanel(lang=LANG, seed=SEED)
display(panel.widget)

# %% [markdown]
# 更新一次要多久(本机实测)· *How long one update takes on this machine:*

# %%
seconds = panel.update()
print(teaching.pick(LANG, f"更新用时 {seconds:.1f} 秒", f"update took {seconds:.1f} s"))

# %% [markdown]
# ## 2. 没有滑块时 · Without sliders (printed handouts, static slides)
#
# 同样的图也可以直接指定数值画出来。例如网格员增加一半、两个部门常驻镇中心:
#
# *The same figure from fixed values — e.g. half as many grid workers again, two departments stationed at
# the town centre:*

# %%
setting = {"staffing": 1.5, "stationed": ["dispute", "livelihood"]}
show(lever_figure(teaching.run_town(seed=SEED, **setting), panel.baseline, LANG))
print(teaching.command_line(seed=SEED, **setting))  # 在终端里运行同一设置的命令 / the same run from a terminal

# %% [markdown]
# ## 3. 四个着力的整体方案 · The four packages as a whole
#
# 项目里预设了每个"着力"的一揽子措施(`configs/policy/`),以及四项同时实施的整体方案"四个着力"(`all_four`)。
#
# *The project ships a package of measures per focus (`configs/policy/`) and all four together, "all four
# focuses" (`all_four`).*

# %%
presets = ("baseline", "grid", "platform", "fusion", "mechanism", "all_four")
runs = {teaching.policy_label(p, LANG): teaching.run_town(p, seed=SEED) for p in presets}
teaching.compare_kpis(runs, lang=LANG, cost=True)

# %% [markdown]
# ## 课后思考 · Questions for the class
#
# 1. 哪一个滑块对"办结时长"影响最大?哪一个对"发现时滞"影响最大?它们是闭环的哪一段?
#    *Which slider moves resolution time most, and which discovery delay? Which part of the loop is that?*
# 2. 把办理时限缩短一半,逾期率怎么变?满意率呢?时限本身会让事办得更快吗?
#    *Halve the time limits: what happens to the overdue rate, and to satisfaction? Does a tighter limit by
#    itself get things done faster?*
# 3. 居民积分提高后,上报多了,虚报也多了。值不值?
#    *Higher resident points bring more reports — and more false ones. Is it worth it?*
# 4. 同样花一百万元,放在哪一个"着力"上效果最好?(看第 3 部分的成本行)
#    *With the same million yuan, which focus buys most? (see the cost row in part 3)*
