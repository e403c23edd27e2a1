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
# # 01 闭环 · The closed loop in one town
#
# 一件群众诉求从发生到办结,要走完 **巡查 → 上报 → 流转 → 处置 → 反馈** 这个闭环。本节课用一个模拟的
# 镇(约两万人、15 个网格)跑一整年,先跟着**一件事**走一遍闭环,再看全镇的**积压**和**办结时长**。
#
# *A resident's problem has to travel the whole loop — patrol → report → routing → handling → feedback —
# before it is closed. We simulate one town (about 20,000 residents, 15 grids) for a year, follow
# **one ticket** around the loop, then look at the town's **backlog** and **resolution time**.*

# %%
LANG = "zh"  # 图表语言:"zh" 中文,"en" English / language of figures and tables
SEED = 0  # 随机种子:换一个数字就是"另一年" / another number = another possible year

from IPython.display import display

from govsim import plots, teaching
from govsim.teaching import show

display(teaching.how_to_use(LANG))  # 按打开方式给出说明 / instructions for JupyterLab or Voilà

# %% [markdown]
# ## 1. 模拟一年 · Simulate one year
#
# 现状政策(`baseline`):每个网格一名网格员,各部门按现有人手办理。运行大约需要一秒。
#
# *Status quo (`baseline`): one grid worker per grid, departments with today's staff. Takes about a second.*
#
# 下面的数是考核口径的上报事件数:预热期(前 30 天)之后上报的真实工单;同一件事的重复工单、虚假上报和
# 始终没人发现的事不算。
#
# *The number below is the assessed count of reports: real tickets reported after the warm-up (the first
# 30 days); duplicate tickets of the same problem, false reports and problems nobody found are not counted.*

# %%
result = teaching.run_town(seed=SEED)
records = result.records
reported = int(result.kpis.iloc[0]["incidents"])  # 上报事件数, as in the table at the end
print(f"上报事件数(预热期后的真实工单)/ real tickets reported after the warm-up: {reported:,}")

# %% [markdown]
# ## 2. 跟着一件事走一遍闭环 · Follow one ticket around the loop
#
# 下面这件事**第一次被派错了部门**,退回后重新流转。表中每一行是闭环的一个环节,"间隔"是在上一环节
# 之后等了几天。
#
# *This ticket was **sent to the wrong department first** and came back. Each row is a stage of the loop;
# the interval column is how long it waited after the previous stage.*

# %%
i = teaching.pick_incident(records, "misrouted")
table = teaching.follow_incident(records, i, LANG)
display(teaching.readable(table))

# %%
show(teaching.plot_incident(table, LANG))

# %% [markdown]
# **讨论 · Discuss:** 哪一段等得最久?是"到达部门"前(派错、退回),还是"处置"前(部门排队)?
# 哪一项政策能缩短这一段?
#
# *Which wait is the longest — before reaching the department (mis-route and return) or before handling
# (the department's queue)? Which policy would shorten it?*
#
# ### 就地化解 · Resolved on the spot
#
# 轻微的事,网格员在现场就能解决,不用进中心、不用派部门,闭环在当天就合上了。
#
# *A minor case the grid worker settles on the spot never goes to the centre or a department: the loop
# closes the same day.*

# %%
teaching.readable(teaching.follow_incident(records, teaching.pick_incident(records, "on_site"), LANG))

# %% [markdown]
# ### 发现晚了,事态升级 · Found late, it grew
#
# 没有被发现的事会自己"长大":纠纷变成冲突,冲突变成信访。看"发生"和"上报"两行的严重程度。
# 这就是"化解在基层、解决在萌芽状态"的道理。
#
# *Undiscovered problems grow: a dispute becomes a conflict, a conflict a petition. Compare the severity at
# occurrence and at report — the reason to "settle it at the grassroots, while it is still a bud".*

# %%
teaching.readable(teaching.follow_incident(records, teaching.pick_incident(records, "grown"), LANG))

# %% [markdown]
# ### 跟着一名网格员 · Follow one grid worker
#
# 网格员是模型里的**智能体**(Mesa agent):每周一,每名网格员自己决定——留任还是离职、学习多少、
# 这一周的时间怎么分(入格事项、培训);入户走访算在入格事项里面。下面重新跑同一年,记下第一名网格员
# 每周的安排和技能,以及他所在网格的现场化解和巡查小时。表里的数都是"小时/周",这样对得上账:
#
# **巡查 = 在岗 − 入格事项 − 培训 − 现场化解**("其中走访"已经包含在入格事项里,不再另减)。
# 现场化解是上一周在现场解决小事所用的时间,从这一周的巡查里扣除。
#
# *Grid workers are the model's **agents** (Mesa agents): every Monday each one decides for itself — stay
# or leave, how much to learn, how to split the week between admitted tasks and training; home visits are
# counted among the tasks. We rerun the same year and note the first worker's week plan and skill, and the
# on-site and patrol hours of the worker's grid. All columns are hours a week, and they add up:*
#
# ***patrol = on duty − admitted tasks − training − on-site resolution** (the "of which home visits" hours
# are already inside the tasks). On-site resolution is last week's time spent settling small cases on the
# spot, taken from this week's patrol.*

# %%
from govsim.agents import GridWorker
from govsim.model import GovernanceModel

model = GovernanceModel(teaching.town_config(seed=SEED))
worker = model.agents_by_type[GridWorker].to_list()[0]  # one agent of the AgentSet
diary = []


def note_week(m: GovernanceModel) -> None:
    """After each week's decisions: the worker's plan and skill, the grid's on-site and patrol hours."""
    diary.append(teaching.week_entry(m, worker))


model.on_week.append(note_week)
found = model.run().incidents
display(teaching.worker_diary(diary, LANG).head(8))
on_patrol = int(((found["grid"] == worker.grid) & (found["channel"] == 0)).sum())
print(teaching.found_on_patrol(worker.grid, on_patrol, LANG))

# %% [markdown]
# **讨论 · Discuss:** 入格事项多了,巡查时间从哪里来?*If more tasks are admitted into the grid, where does
# the patrol time come from?*

# %% [markdown]
# ## 3. 全镇的积压 · The town's backlog
#
# 蓝线:已上报、还没办结的工单数(积压);橙线:已经发生、还没人发现的事(潜在)。灰色区域是预热期:
# 模拟从"空镇"开始,这段时间不计入指标。
#
# *Blue: tickets reported and not yet closed (backlog). Orange: incidents that happened and nobody has
# found yet (latent). Grey: the warm-up — the simulation starts from an empty town, so these days are not
# measured.*

# %%
show(plots.plot_backlog(records.timeseries, LANG, warmup=records.warmup))

# %% [markdown]
# ## 4. 办结要多久 · How long until it is closed
#
# 每类事件从上报到办结的天数分布。曲线越靠左,群众等得越短。
#
# *Days from report to close, one curve per category. The further left, the shorter residents wait.*

# %%
show(plots.plot_resolution(records.incidents, records.categories, LANG))

# %%
teaching.compare_kpis({teaching.policy_label("baseline", LANG): result}, lang=LANG)

# %% [markdown]
# ## 课后思考 · Questions for the class
#
# 1. 逾期率和满意率之间是什么关系?*How are the overdue rate and satisfaction related?*
# 2. (在 JupyterLab 中)把 `SEED` 改成 1、2、3 再运行,数字变了多少?这说明一年的结果里有多少是"运气"?
#    *(In JupyterLab) change `SEED` to 1, 2, 3 and rerun: how much do the numbers move? How much of one
#    year is luck?*
# 3. 下一节(02 四个着力)用滑块改变政策,看闭环哪一段变短。
#    *Next (02 four focuses): move the policy sliders and see which part of the loop gets shorter.*
