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
# # 03 热点图 · The demand heat map
#
# 粤平安平台把群众诉求按网格汇总,画成**群众诉求热点图**。有了热点图,镇里可以把网格员的巡查时间
# 多派到诉求集中的网格,而不是每个网格平均分配。本节比较两种做法:**均匀巡查**和**热点图引导巡查**。
# 两次模拟用同一个种子,发生的事件完全相同(共同随机数),差别只来自巡查方式。
#
# *The platform sums residents' demands per grid into a **demand heat map**. With it, a town can send
# patrol hours where demand is, instead of the same to every grid. We compare **uniform patrol** with
# **hotspot-guided patrol**. Both runs use the same seed, so the same incidents happen (common random
# numbers): any difference comes from how patrol is allocated.*

# %%
LANG = "zh"  # "zh" 中文 / "en" English
SEED = 0


from IPython.display import display

from govsim import teaching
from govsim.teaching import show

display(teaching.how_to_use(LANG))  # 按打开方式给出说明 / instructions for JupyterLab or Voilà

# %%
runs = teaching.hotspot_runs(seed=SEED)

# %% [markdown]
# ## 1. 热点图与发现速度 · The heat map and how fast things are found
#
# 左图:每个格子是一个网格,颜色越深,每千人一年的诉求越多。右图:每个点是一个网格,横轴是诉求多少,
# 纵轴是一件事从发生到被发现(上报)平均等了几天。
#
# *Left: one cell per grid, darker = more reports per 1,000 residents a year. Right: one dot per grid —
# its demand against the mean days from occurrence to report (discovery delay).*

# %%
show(teaching.plot_hotspot_comparison(runs, LANG))

# %% [markdown]
# **读图 · Reading it:** 热点图引导后,诉求多的网格发现得更快(右下的橙点),诉求少的网格发现得慢了
# (左上的橙点)。全镇平均发现时滞缩短,但安静的网格付出了代价。
#
# *With hotspot guidance, busy grids are found sooner (orange dots, lower right) and quiet grids later
# (orange dots, upper left). The town's mean discovery delay falls, and the quiet grids pay for it.*

# %%
teaching.compare_kpis({teaching.patrol_label(k, LANG): r for k, r in runs.items()}, lang=LANG)

# %% [markdown]
# ## 2. 每个网格的数字 · Grid by grid
#
# 每行一个网格,按诉求强度(全镇平均为 1)从低到高排列:每千人一年的上报数、两种巡查方式下的平均发现时滞
# (天),以及均匀巡查时由巡查发现的比例。第一列"网格"是网格编号,就是上面热点图里每个格子上写的数字。
#
# *One row per grid, from the quietest to the busiest (demand level, town mean 1): reports per 1,000
# residents a year, mean discovery delay in days under each kind of patrol, and the share found by
# patrol under uniform patrol. The first column, "grid", is the grid's number, the number written on its
# tile in the heat map above.*

# %%
teaching.grid_table(runs, LANG)

# %% [markdown]
# ## 课后思考 · Questions for the class
#
# 1. 热点图引导巡查提高了全镇的效率,安静网格的群众却等得更久。怎样兼顾?(例如给每个网格保留最低巡查时间)
#    *Hotspot patrol is more efficient for the town, yet quiet grids wait longer. How would you balance
#    the two (e.g. a minimum patrol time for every grid)?*
# 2. 热点图只看到**已经上报**的诉求。没人上报的地方会不会被"看不见"?
#    *The heat map only sees what is **reported**. Could places where nobody reports become invisible?*
