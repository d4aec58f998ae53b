"""Synthetic data at any scale, with the demo's shapes, vocabularies and rules.

`build(db_file, compounds, months, seed)` fills every table of the import contract for a made-up
set of Wuhan compounds. Everything is generated inside DuckDB by set-based SQL over range():
no Python loop runs per row. Randomness is derived from hash(seed, row key, salt), never from
random(), so a seed gives the same tables on every machine and thread count. Values reach the SQL
through bound parameters only.

The data describe the `months` months ending at AS_OF: requests, services and the red-property
months fall in that window; the renovation plan runs from 2019 on, as Wuhan's did.
"""

from __future__ import annotations

import re
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

import duckdb

from oversight import db, demo, rollups, settings

AS_OF = date(2024, 12, 31)
FIRST_BATCH = date(2019, 6, 1)  # the earliest plan batch

# Calibrated so that 36 months give about 1,000 requests and 1,000 services a compound: requests
# a compound and month on average, and services a volunteer and active day at activity level 1
# (levels 0.25-2; 20-60 volunteers a compound).
REQUESTS_PER_COMPOUND_MONTH = 29.5
SERVICES_PER_VOLUNTEER_DAY = 0.038

DISTRICTS = ["江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区"]
STREET_STEMS = (
    "台北 大智 一元 车站 四唯 永清 西马 球场 劳动 二七 新村 丹水池 塔子湖 后湖 花桥 百步亭 民族 花楼 "
    "水塔 民权 满春 前进 民意 新华 万松 唐家墩 常青 汉兴 汉中 荣华 汉正 宝丰 韩家墩 古田 易家 宗关 "
    "建桥 琴断口 晴川 鹦鹉 洲头 五里墩 积玉桥 杨园 徐家棚 粮道 中华路 黄鹤楼 紫阳 首义 中南 水果湖 "
    "红卫路 冶金 工人村 钢都 青山镇 关山 珞南 卓刀泉 狮子山 和平 青菱"
).split()
COMMUNITY_STEMS = (
    "和美 幸福 民主 友谊 建设 长春 胜利 光明 育才 工农 黄浦 鄱阳 三阳 蔡锷 上海 惠济 工农兵 江汉 "
    "六合 同兴 黎黄 吉庆 济生 利济 崇仁 营房 古琴 龟山 月湖 五里 梅子 桃源 紫阳 得胜 彭刘杨 司门口 "
    "积庆 兴隆 晒湖 八一 珞珈 东湖 沙湖 白沙 南湖 卓刀 关东 关西 新竹 余家头 临江 沿江 滨江 解放 "
    "红旗 朝阳 向阳 前进 新生 复兴 振兴 永安 太平 康宁 安居 福星"
).split()
ROADS = (
    "解放大道 中山大道 建设大道 京汉大道 胜利街 黎黄陂路 沿江大道 武珞路 珞喻路 和平大道 友谊大道 "
    "汉阳大道 鹦鹉大道 解放路 民主路 青年路 发展大道 新华路 台北路 香港路 长春街 三阳路 球场街 "
    "二七路 黄浦大街 江汉路 航空路 硚口路 古田路 晴川大道 紫阳路 中华路 首义路 红钢城大街"
).split()
EMPLOYERS = (
    "湖北省第二轻工业局 市水产局 汉口渔场 江岸区粮食局 市第二医院 武汉水运公司 新华印刷厂 市建二公司 "
    "武汉锅炉厂 国棉一厂 市邮电局 市供电局 武汉重型机床厂 武汉钢铁公司 市交通局 长航局 市委党校 "
    "武汉肉联厂 市自来水公司 武汉汽轮发电机厂 市第一医院 武汉制药厂 市二建 武汉搪瓷厂 市粮校 铁路局"
).split()
STRUCTURES = ["砖混"] * 55 + ["钢筋混凝土"] * 40 + ["砖木"] * 5
COMPANY_STEMS = (
    "安居 城建 汉口 江城 楚天 长江 东湖 晴川 黄鹤 琴台 龟山 蛇山 荆楚 华中 兴业 锦绣 福星 万家 "
    "百步 汉阳 江汉 武昌 鹦鹉 南湖 青山 洪山 汉正 民生 康居 同心"
).split()
# (kind, name template) with {d} for the district's short name.
PARTNER_TEMPLATES = [
    ("soe", "中国交建一公局集团华中公司{d}项目部"),
    ("soe", "国网武汉供电公司{d}分公司"),
    ("soe", "中建三局{d}项目部"),
    ("soe", "武汉地铁集团{d}运营中心"),
    ("soe", "武汉水务集团{d}营业所"),
    ("soe", "中国移动武汉{d}分公司"),
    # Not the renovation authority itself: its money is the plan's, not a partner's.
    ("agency", "{d}区税务局"),
    ("agency", "{d}区城市管理执法局"),
    ("agency", "{d}区民政局"),
    ("agency", "{d}区卫生健康局"),
    ("institution", "{d}区人民医院"),
    ("institution", "{d}区实验小学"),
    ("institution", "{d}区图书馆"),
    ("institution", "武汉市{d}中学"),
    ("institution", "{d}区社区卫生服务中心"),
    ("private", "武汉{d}建材有限公司"),
    ("private", "武汉{d}电梯工程有限公司"),
    ("private", "{d}装饰工程有限公司"),
    ("ngo", "{d}区爱心家政服务社"),
    ("ngo", "{d}区社会工作服务中心"),
    ("ngo", "{d}区老年志愿者协会"),
]
REWARDS = [
    ("大米5kg", 20),
    ("食用油1.8L", 15),
    ("洗衣液", 8),
    ("理发券", 5),
    ("保温杯", 12),
    ("家电清洗服务", 30),
    ("毛巾礼盒", 6),
    ("血压计", 40),
    ("挂面礼包", 6),
    ("鸡蛋一盒", 4),
    ("牙膏套装", 5),
    ("雨伞", 10),
    ("电饭煲", 60),
    ("体检套餐", 50),
    ("公交卡充值20元", 18),
    ("电影票", 15),
    ("抽纸一提", 7),
    ("老花镜", 12),
    ("修脚服务", 10),
    ("家政保洁2小时", 25),
]
CONTRIBUTION_TEMPLATES = {
    "service": "组织志愿者开展{}",
    "materials": "捐赠{}所需物资",
    "funds": "资助{}",
    "works": "义务承担{}",
}
PROGRESS_NOTE = {s: demo.STAGE_NOTES[s] for s in demo.STAGES}


def _slots(pairs: list[tuple[object, int]]) -> list:
    """A list where each value appears weight times: a uniform pick from it is a weighted pick."""
    return [value for value, weight in pairs for _ in range(weight)]


def _add_months(d: date, n: int) -> date:
    m = d.year * 12 + d.month - 1 + n
    return date(m // 12, m % 12 + 1, 1)


# Pseudo-random numbers: u in [0, 1), an integer in [lo, hi], a uniform pick from a list.
RANDOM_MACROS = [
    "CREATE OR REPLACE TEMP MACRO g_u(s, k, salt) AS (hash(s, k, salt) % 1000000)::DOUBLE / 1000000.0",
    "CREATE OR REPLACE TEMP MACRO g_ri(s, k, salt, lo, hi) AS (lo + floor(g_u(s, k, salt) * (hi - lo + 1)))::INTEGER",
    "CREATE OR REPLACE TEMP MACRO g_pick(lst, s, k, salt) AS lst[1 + floor(g_u(s, k, salt) * len(lst))::BIGINT]",
]

# Each step: the table it fills and the statements that fill it (helper g_* temp tables first).
STEPS: list[tuple[str, list[str]]] = [
    (
        "communities",
        [
            # Communities of 4-12 compounds each, as many as the compounds need.
            """
            CREATE OR REPLACE TEMP TABLE g_community AS
            WITH sized AS (
                SELECT i AS mi, g_ri($seed, i, 'community_size', 4, 12) AS size FROM range($compounds) t(i)
            ), placed AS (
                SELECT mi, size, sum(size) OVER (ORDER BY mi) - size AS first_ci FROM sized
            )
            SELECT mi, first_ci, least(size, $compounds - first_ci) AS size, mi // 10 AS street_idx,
                   30.50 + 0.18 * g_u($seed, mi, 'community_lat') AS lat,
                   114.18 + 0.26 * g_u($seed, mi, 'community_lon') AS lon
            FROM placed WHERE first_ci < $compounds
            """,
            """
            INSERT INTO communities
            SELECT printf('C%05d', mi + 1),
                   $community_stems[1 + mi % len($community_stems)]
                       || CASE WHEN mi >= len($community_stems) THEN (mi // len($community_stems) + 1)::VARCHAR
                               ELSE '' END || '社区',
                   $street_stems[1 + street_idx % len($street_stems)]
                       || CASE WHEN street_idx >= len($street_stems)
                               THEN (street_idx // len($street_stems) + 1)::VARCHAR ELSE '' END || '街道',
                   $districts[1 + street_idx % len($districts)],
                   '武汉市'
            FROM g_community ORDER BY mi
            """,
        ],
    ),
    (
        "property_companies",
        [
            """
            CREATE OR REPLACE TEMP TABLE g_company AS
            SELECT i AS pi, printf('M%05d', i + 1) AS company_id,
                   g_pick($company_kinds, $seed, i, 'company_kind') AS kind
            FROM range($n_companies) t(i)
            """,
            """
            INSERT INTO property_companies
            SELECT company_id,
                   CASE kind
                       WHEN 'public_interest' THEN stem || suffix || '红色物业服务中心'
                       WHEN 'self_managed' THEN stem || suffix || '居民自管小组'
                       ELSE '武汉' || stem || suffix || '物业服务有限公司' END,
                   kind, branch,
                   CASE WHEN branch THEN g_ri($seed, pi, 'company_members', 3, 12)
                        ELSE g_ri($seed, pi, 'company_members', 0, 2) END
            FROM (
                SELECT *, $company_stems[1 + pi % len($company_stems)] AS stem,
                       CASE WHEN pi >= len($company_stems) THEN (pi // len($company_stems) + 1)::VARCHAR
                            ELSE '' END AS suffix,
                       g_u($seed, pi, 'company_branch') < CASE kind WHEN 'market' THEN 0.55 ELSE 0.95 END AS branch
                FROM g_company
            ) ORDER BY pi
            """,
        ],
    ),
    (
        "compounds",
        [
            """
            CREATE OR REPLACE TEMP TABLE g_compound AS
            WITH base AS (
                SELECT i AS ci, printf('X%06d', i + 1) AS compound_id,
                       g_ri($seed, i, 'buildings', 1, 12) AS buildings,
                       g_ri($seed, i, 'units_per_building', 2, 4) AS units_per_building,
                       g_ri($seed, i, 'households_per_unit', 8, 16) AS households_per_unit,
                       g_u($seed, i, 'in_plan') < 0.85 AS in_plan,
                       floor($n_batches * pow(g_u($seed, i, 'batch'), 0.6))::INTEGER AS batch,  -- more recent batches
                       CASE WHEN g_u($seed, i, 'has_company') < 0.88
                            THEN printf('M%05d', g_ri($seed, i, 'company', 1, $n_companies)) END AS company_id,
                       g_u($seed, i, 'red') < 0.3 AS red
                FROM range($compounds) t(i)
            )
            SELECT b.*, c.mi, printf('C%05d', c.mi + 1) AS community_id,
                   b.buildings * b.units_per_building AS units,
                   b.buildings * b.units_per_building * b.households_per_unit AS households,
                   CASE WHEN b.in_plan THEN ($first_batch + to_months(b.batch::INTEGER))::DATE END AS batch_start,
                   c.lat AS community_lat, c.lon AS community_lon
            FROM base b ASOF JOIN g_community c ON b.ci >= c.first_ci
            """,
            """
            INSERT INTO compounds
            SELECT compound_id, community_id,
                   CASE WHEN g_u($seed, ci, 'name_kind') < 0.5
                        THEN g_pick($roads, $seed, ci, 'road') || g_ri($seed, ci, 'number', 1, 300)::VARCHAR || '号院'
                        ELSE g_pick($employers, $seed, ci, 'employer') || '宿舍'
                             || CASE WHEN g_u($seed, ci, 'name_suffix') < 0.5
                                     THEN '（' || g_ri($seed, ci, 'number', 1, 30)::VARCHAR || '区）' ELSE '' END
                   END,
                   g_ri($seed, ci, 'built_year', 1970, 2000),
                   buildings, units, households,
                   round(0.15 + 0.6 * pow(g_u($seed, ci, 'elderly'), 1.3), 2),
                   g_pick($structures, $seed, ci, 'structure'),
                   strftime(batch_start, '%Y-%m'),
                   in_plan, company_id,
                   round(community_lat + 0.012 * (g_u($seed, ci, 'lat') - 0.5), 6),
                   round(community_lon + 0.012 * (g_u($seed, ci, 'lon') - 0.5), 6),
                   g_ri($seed, ci, 'floors', 4, 9)
            FROM g_compound ORDER BY ci
            """,
        ],
    ),
    (
        "partner_units",
        [
            """
            CREATE OR REPLACE TEMP TABLE g_partner AS
            SELECT i AS pi, printf('P%05d', i + 1) AS unit_id,
                   g_ri($seed, i, 'partner_template', 1, len($partner_kinds)) AS template,
                   g_ri($seed, i, 'partner_community', 0, $n_communities - 1) AS mi,
                   ($plan_start + g_ri($seed, i, 'partner_joined', 0, $as_of - 30 - $plan_start))::DATE AS joined_on
            FROM range($n_units) t(i)
            """,
            """
            INSERT INTO partner_units
            SELECT p.unit_id,
                   replace($partner_templates[p.template], '{d}', replace(cm.district, '区', '')),
                   $partner_kinds[p.template], printf('C%05d', p.mi + 1), p.joined_on
            FROM g_partner p JOIN communities cm ON cm.community_id = printf('C%05d', p.mi + 1)
            ORDER BY p.pi
            """,
        ],
    ),
    (
        "renovation_items",
        [
            # The plan's items: 3-8 distinct item types a compound in the plan, each placed in time
            # after its batch and staged as seen on as_of (as demo._item_state does).
            """
            CREATE OR REPLACE TEMP TABLE g_item AS
            WITH picked AS (
                SELECT c.ci, c.compound_id, c.units, c.buildings, c.batch_start, j,
                       c.ci * 16 + j AS k,
                       (g_ri($seed, c.ci, 'type_offset', 0, len($item_types) - 1)
                        + j * g_ri($seed, c.ci, 'type_step', 1, len($item_types) - 1)) % len($item_types) + 1 AS t
                FROM g_compound c, range(g_ri($seed, c.ci, 'n_items', 3, 8)) r(j)
                WHERE c.in_plan
            ), planned AS (
                SELECT *, (batch_start + g_ri($seed, k, 'planned_start', 60, 600))::DATE AS planned_start,
                       g_ri($seed, k, 'duration', 60, 240) AS duration,
                       g_ri($seed, k, 'delay', 0, 40) AS delay,
                       CASE WHEN g_u($seed, k, 'late') < 0.3 THEN g_ri($seed, k, 'overrun', 30, 200)
                            ELSE g_ri($seed, k, 'overrun', -20, 15) END AS overrun,
                       g_ri($seed, k, 'future_step', 0, 2) AS future_step
                FROM picked
            ), timed AS (
                SELECT *, (planned_start + duration)::DATE AS planned_end,
                       (planned_start + delay)::DATE AS started,
                       greatest(planned_start + duration + overrun, planned_start + delay + 20)::DATE AS ends
                FROM planned
            ), staged AS (
                SELECT *,
                       -- A few items stall (residents disagree, a contractor walks off) past their plan.
                       ends <= $as_of AND g_u($seed, k, 'stalled') < 0.06 AS stalled,
                       CASE WHEN planned_start > $as_of THEN
                                CASE WHEN planned_start - $as_of > 150 THEN 'survey'
                                     WHEN planned_start - $as_of > 60
                                     THEN ['consent', 'design', 'design'][future_step + 1]
                                     ELSE 'tendering' END
                            WHEN started > $as_of THEN 'tendering'
                            WHEN stalled THEN CASE WHEN g_u($seed, k, 'stalled_at') < 0.25 THEN 'tendering'
                                                   WHEN g_u($seed, k, 'stalled_at') < 0.75 THEN 'construction'
                                                   ELSE 'acceptance' END  -- failed inspection
                            WHEN ends <= $as_of THEN 'done'
                            WHEN ($as_of - started) / (ends - started) > 0.8 THEN 'acceptance'
                            ELSE 'construction' END AS stage
                FROM timed
            )
            SELECT ci, compound_id || '-' || lpad((j + 1)::VARCHAR, 2, '0') AS item_id, compound_id, k,
                   $item_categories[t] AS category, $item_types[t] AS item_type, $item_titles[t] AS title,
                   true AS in_plan, g_pick($fundings, $seed, k, 'funding') AS funding, stage,
                   round($item_budgets[t] * (0.6 + 0.9 * g_u($seed, k, 'budget')) * sqrt(greatest(buildings, 1)), -3)
                       AS budget,
                   planned_start, planned_end,
                   CASE WHEN stage IN ('construction', 'acceptance', 'done') THEN started END AS actual_start,
                   CASE WHEN stage = 'done' THEN ends END AS actual_end,
                   CASE WHEN stage = 'construction' AND stalled THEN g_ri($seed, k, 'stalled_pct', 30, 80)
                        WHEN stage = 'construction'
                        THEN least(85, greatest(30, round(30 + 60 * ($as_of - started) / (ends - started))))
                       ELSE $stage_progress[list_position($stages, stage)] END::DOUBLE AS progress_pct,
                   g_ri($seed, k, 'units_affected', 1, greatest(units, 1)) AS units_affected,
                   NULL::INTEGER AS buildings_affected
            FROM staged
            UNION ALL
            -- Disused garbage chutes taken out by a partner unit outside the plan, as in Hemei.
            SELECT ci, compound_id || '-CHUTE', compound_id, -1 - ci, 'basic', 'garbage_chute_removal',
                   '拆除废弃垃圾通道', false, 'partner', 'done', chute_units * 25000,
                   start, (start + 45)::DATE, start, (start + g_ri($seed, ci, 'chute_days', 20, 45))::DATE,
                   100, chute_units, 1
            FROM (
                SELECT ci, compound_id, least(units, g_ri($seed, ci, 'chute_units', 2, 8)) AS chute_units,
                       (batch_start + g_ri($seed, ci, 'chute_start', 0, 120))::DATE AS start
                FROM g_compound
                WHERE in_plan AND g_u($seed, ci, 'chute') < 0.06 AND units > 0
            ) WHERE start + 45 <= $as_of
            """,
            """
            INSERT INTO renovation_items
            SELECT item_id, compound_id, category, item_type, title, in_plan, funding, stage, budget,
                   CASE WHEN stage = 'done' AND item_type = 'garbage_chute_removal' THEN budget
                        WHEN stage = 'done' THEN round(budget * (0.92 + 0.14 * g_u($seed, k, 'spent')), -2)
                        WHEN stage IN ('construction', 'acceptance')
                            THEN round(budget * progress_pct / 100 * (0.8 + 0.2 * g_u($seed, k, 'spent')), -2)
                        ELSE 0 END,
                   planned_start, planned_end, actual_start, actual_end, progress_pct, units_affected,
                   buildings_affected,
                   CASE WHEN item_type = 'elevator' THEN units_affected END  -- one elevator (台) a unit
            FROM g_item ORDER BY ci, k
            """,
        ],
    ),
    (
        "progress_updates",
        [
            # One update a stage passed, on strictly increasing days, the last one the item's state.
            """
            INSERT INTO progress_updates
            WITH steps AS (
                SELECT i.item_id, i.k, i.progress_pct, i.actual_start, i.actual_end, r.s::INTEGER AS s, i.last,
                       least(i.planned_start - 90,
                             $as_of - (30 * (i.last + 1) + g_ri($seed, i.k, 'history', 0, 60))::INTEGER) AS first_day
                FROM (SELECT *, (list_position($stages, stage) - 1)::INTEGER AS last FROM g_item) i,
                     range(i.last + 1) r(s)
            ), ended AS (
                SELECT *,
                       coalesce(actual_end,
                                least($as_of, greatest(coalesce(actual_start, first_day), first_day) + 200)) AS end_day
                FROM steps
            ), raw AS (
                SELECT *,
                       CASE WHEN last = 0 THEN first_day
                            ELSE first_day + (greatest(end_day - first_day, last + 1) * s // last)::INTEGER END AS d
                FROM ended
            ), adjusted AS (
                SELECT *, CASE WHEN s = $construction_step AND actual_start IS NOT NULL
                               THEN greatest(d, actual_start) ELSE d END AS d2
                FROM raw
            ), strict AS (
                SELECT *, max(d2 - s) OVER (PARTITION BY item_id ORDER BY s ROWS UNBOUNDED PRECEDING) + s AS d3
                FROM adjusted
            )
            SELECT item_id, least(d3, $as_of - (last - s))::DATE,
                   $stages[s + 1],
                   CASE WHEN s < last THEN $stage_progress[s + 1] ELSE progress_pct END,
                   $stage_notes[s + 1]
            FROM strict ORDER BY k, s
            """,
        ],
    ),
    (
        "contributions",
        [
            """
            INSERT INTO contributions
            WITH made AS (
                SELECT p.pi, p.unit_id, p.mi, p.joined_on, j, p.pi * 64 + j AS k,
                       -- A government office gives its people's time, not public money.
                       CASE WHEN $partner_kinds[p.template] = 'agency'
                                 AND g_pick($contribution_kinds, $seed, p.pi * 64 + j, 'kind') = 'funds' THEN 'service'
                            ELSE g_pick($contribution_kinds, $seed, p.pi * 64 + j, 'kind') END AS kind
                FROM g_partner p, range(g_ri($seed, p.pi, 'n_contributions', 4, 16)) r(j)
            ), placed AS (
                SELECT m.*,
                       CASE WHEN g_u($seed, k, 'local') < 0.8
                            THEN cm.first_ci + g_ri($seed, k, 'local_compound', 0, cm.size - 1)
                            ELSE g_ri($seed, k, 'any_compound', 0, $compounds - 1) END AS ci
                FROM made m JOIN g_community cm USING (mi)
            ), items AS (
                SELECT ci, count(*) FILTER (WHERE in_plan) AS n_items FROM g_item GROUP BY ci
            ), contribs AS (
                SELECT 0 AS grp, p.k, p.unit_id, c.compound_id,
                       CASE WHEN p.kind IN ('works', 'materials') AND coalesce(it.n_items, 0) > 0
                                 AND g_u($seed, p.k, 'for_item') < 0.5
                            THEN c.compound_id || '-'
                                 || lpad(g_ri($seed, p.k, 'item', 1, it.n_items)::VARCHAR, 2, '0') END AS item_id,
                       (greatest(p.joined_on, $plan_start)
                        + g_ri($seed, p.k, 'on', 0, $as_of - greatest(p.joined_on, $plan_start)))::DATE AS on_day,
                       p.kind,
                       replace($contribution_templates[list_position($contribution_kind_names, p.kind)], '{}',
                               CASE p.kind WHEN 'service' THEN g_pick($service_subjects, $seed, p.k, 'activity')
                                           WHEN 'materials' THEN g_pick($materials_subjects, $seed, p.k, 'activity')
                                           WHEN 'funds' THEN g_pick($funds_subjects, $seed, p.k, 'activity')
                                           ELSE g_pick($works_subjects, $seed, p.k, 'activity') END)
                           AS description,
                       CASE p.kind WHEN 'service' THEN g_ri($seed, p.k, 'value', 5, 40) * 100
                                   WHEN 'materials' THEN g_ri($seed, p.k, 'value', 20, 200) * 100
                                   ELSE g_ri($seed, p.k, 'value', 50, 400) * 100 END AS value_yuan,
                       CASE WHEN p.kind IN ('service', 'works') THEN g_ri($seed, p.k, 'hours', 4, 60) ELSE 0 END
                           AS hours,
                       c.households
                FROM placed p JOIN g_compound c USING (ci) LEFT JOIN items it USING (ci)
                UNION ALL
                SELECT 1, i.ci, printf('P%05d', g_ri($seed, i.ci, 'chute_unit', 1, $n_units)), i.compound_id,
                       i.item_id, i.actual_end, 'works',
                       '免费拆除' || i.units_affected::VARCHAR || '个单元的废弃垃圾通道，为加装电梯腾出空间',
                       i.budget, i.units_affected * 24, c.households
                FROM g_item i JOIN g_compound c USING (ci)
                WHERE i.item_type = 'garbage_chute_removal'
            )
            SELECT printf('K%06d', row_number() OVER (ORDER BY grp, k)), unit_id, compound_id, item_id, on_day,
                   kind, description, value_yuan, hours,
                   CASE WHEN hours > 0 THEN g_ri($seed, k, 'participants', 2, 20) ELSE 0 END,
                   g_ri($seed, k, 'benefited', 5, greatest(6, households))
            FROM contribs ORDER BY grp, k
            """,
        ],
    ),
    (
        "red_property_monthly",
        [
            """
            INSERT INTO red_property_monthly
            SELECT compound_id, ($start + to_months(i))::DATE, company_id,
                   CASE WHEN company_id IS NULL THEN 0 ELSE least(3, i // 6 + red::INTEGER) END,
                   g_ri($seed, ci * 1000 + i, 'serving', 1, 4) + 2 * red::INTEGER,
                   CASE WHEN committee
                        THEN round(least(0.9, 0.15 + 0.2 * g_u($seed, ci, 'share') + i * 0.008
                                              + 0.1 * red::INTEGER), 3) END,
                   g_ri($seed, ci * 1000 + i, 'meetings', 0, 2) + red::INTEGER,
                   -- No fee is collected where no company serves.
                   CASE WHEN company_id IS NOT NULL
                        THEN round(least(99.0, 55 + 30 * g_u($seed, ci, 'fee') + i * 0.5
                                               + 8 * (g_u($seed, ci * 1000 + i, 'fee_noise') - 0.5)), 1) END,
                   committee
            FROM (SELECT *, company_id IS NOT NULL AND g_u($seed, ci, 'committee') < 0.7 AS committee FROM g_compound),
                 range($months) r(i)
            ORDER BY ci, i
            """,
        ],
    ),
    (
        "requests",
        [
            # How many requests each compound has each month (bigger compounds more, leaks in the
            # rainy season), and where each compound-month's run of request ids starts.
            """
            CREATE OR REPLACE TEMP TABLE g_request_month AS
            WITH counted AS (
                SELECT c.ci, c.compound_id, c.company_id, i, ($start + to_months(i))::DATE AS month,
                       floor($requests_per_month * c.households / avg(c.households) OVER ()
                             * CASE WHEN month(($start + to_months(i))::DATE) IN (6, 7, 8) THEN 1.2
                                    WHEN month(($start + to_months(i))::DATE) IN (1, 2) THEN 0.85 ELSE 0.98 END
                             * (0.5 + g_u($seed, c.ci * 1000 + i, 'requests'))
                             + g_u($seed, c.ci * 1000 + i, 'requests_round'))::BIGINT AS n
                FROM g_compound c, range($months) r(i)
            )
            SELECT *, sum(n) OVER (ORDER BY ci, i) - n AS first_n,
                   least((month + to_months(1))::DATE - month, $as_of - month + 1) AS days
            FROM counted
            """,
            """
            INSERT INTO requests
            WITH made AS (
                SELECT m.compound_id, m.company_id, first_n + j AS n,
                       m.month::TIMESTAMP + to_days(g_ri($seed, first_n + j, 'day', 0, days - 1)::INTEGER)
                           + to_seconds(g_ri($seed, first_n + j, 'second', 7 * 3600, 22 * 3600))
                           AS received_at,
                       g_u($seed, first_n + j, 'slow')
                           < CASE WHEN m.company_id IS NULL THEN 0.22 ELSE 0.10 END AS slow,
                       g_ri($seed, first_n + j, 'category', 1, len($category_slots)) AS cat_slot
                FROM g_request_month m, range(m.n) r(j)
            ), answered AS (
                SELECT *,
                       received_at + to_seconds(CASE WHEN slow THEN g_ri($seed, n, 'respond', 26 * 3600, 96 * 3600)
                                                     ELSE g_ri($seed, n, 'respond', 1200, 20 * 3600) END)
                           AS responded,
                       CASE WHEN g_u($seed, n, 'resolves') < 0.9 THEN g_ri($seed, n, 'resolve', 2 * 3600, 14 * 86400)
                           END AS resolve_seconds
                FROM made
            ), dated AS (
                SELECT *, CASE WHEN responded <= $data_end THEN responded END AS responded_at,
                       CASE WHEN responded + to_seconds(resolve_seconds) <= $data_end
                            THEN responded + to_seconds(resolve_seconds) END AS resolved_at
                FROM answered
            )
            SELECT printf('Q%08d', n + 1), compound_id, received_at,
                   g_pick($channels, $seed, n, 'channel'),
                   $category_codes[$category_slots[cat_slot]], $category_summaries[$category_slots[cat_slot]],
                   g_pick($handlers, $seed, n, 'handler'),
                   responded_at, resolved_at, NULL,
                   $time_limits[$category_slots[cat_slot]],
                   CASE WHEN score >= 4 OR (score = 3 AND n % 3 <> 0) OR (score = 2 AND n % 3 = 0) THEN 'resolved'
                        WHEN score IS NOT NULL THEN 'unresolved' END,
                   CASE WHEN score >= 4 THEN 'satisfied' WHEN score = 3 THEN 'basically_satisfied'
                        WHEN score IS NOT NULL THEN 'dissatisfied' END
            FROM (
                -- The 回访 call reaches four in five residents whose request was closed.
                SELECT *, CASE WHEN resolved_at IS NOT NULL AND g_u($seed, n, 'rated') < 0.8
                               THEN CASE WHEN slow THEN g_pick($satisfaction_slow, $seed, n, 'satisfaction')
                                         ELSE g_pick($satisfaction_fast, $seed, n, 'satisfaction') END END AS score
                FROM dated
            -- Stored month by month, as monthly imports append them: a period's requests then sit in
            -- few row groups, which DuckDB's zone maps let a period's queries and the download skip to.
            ) ORDER BY date_trunc('month', received_at), n
            """,
        ],
    ),
    (
        "volunteers",
        [
            """
            CREATE OR REPLACE TEMP TABLE g_volunteer AS
            WITH counted AS (
                SELECT ci, compound_id, mi, g_ri($seed, ci, 'n_volunteers', 20, 60) AS n FROM g_compound
            ), placed AS (
                SELECT *, sum(n) OVER (ORDER BY ci) - n AS first_vi FROM counted
            ), made AS (
                SELECT c.ci, c.compound_id, c.mi, c.first_vi + j AS vi
                FROM placed c, range(c.n) r(j)
            )
            SELECT *, printf('V%07d', vi + 1) AS volunteer_id,
                   g_pick($volunteer_kinds, $seed, vi, 'kind') AS kind,
                   ($joined_from + floor(pow(g_u($seed, vi, 'joined'), 1.5) * ($as_of - 30 - $joined_from))::INTEGER)
                       ::DATE AS joined_on,
                   g_pick($activity_levels, $seed, vi, 'activity') AS level
            FROM made
            """,
            """
            INSERT INTO volunteers
            SELECT volunteer_id, compound_id,
                   g_pick($surnames, $seed, vi, 'surname') || '*' || g_pick($given, $seed, vi, 'given'),
                   kind,
                   CASE WHEN kind = 'partner_staff' THEN printf('P%05d', g_ri($seed, vi, 'unit', 1, $n_units)) END,
                   joined_on
            FROM g_volunteer ORDER BY vi
            """,
        ],
    ),
    (
        "services",
        [
            # Each volunteer serves at their own steady rate from joining (or the window's start)
            # to as_of; the n services are spread over that span in order.
            """
            CREATE OR REPLACE TEMP TABLE g_service_run AS
            WITH spans AS (
                SELECT vi, volunteer_id, greatest(joined_on, $start) AS first_day,
                       $as_of - greatest(joined_on, $start) + 1 AS active, level
                FROM g_volunteer
            ), counted AS (
                SELECT *, floor(active * $services_per_day * level + g_u($seed, vi, 'n_services'))::BIGINT AS n
                FROM spans
            )
            SELECT *, sum(n) OVER (ORDER BY vi) - n AS first_n FROM counted
            """,
            """
            INSERT INTO services
            SELECT printf('S%08d', first_n + j + 1), volunteer_id, served_day,
                   -- Mass testing ended in December 2022: no 核酸 help after it.
                   CASE WHEN served_day > $covid_end
                        THEN g_pick($activities_after_covid, $seed, first_n + j, 'activity')
                        ELSE g_pick($activities, $seed, first_n + j, 'activity') END,
                   g_pick($hours, $seed, first_n + j, 'hours') AS h,
                   h * $points_per_hour
            FROM g_service_run v, range(v.n) r(j),
                 LATERAL (SELECT (first_day + floor((j + g_u($seed, first_n + j, 'day')) * active / n)::INTEGER)::DATE
                          AS served_day)
            ORDER BY first_n + j  -- by volunteer: a compound's or a volunteer's services sit together
            """,
        ],
    ),
    (
        "rewards",
        [
            """
            INSERT INTO rewards
            SELECT printf('R%02d', i + 1), $reward_names[i + 1], $reward_costs[i + 1],
                   CASE WHEN g_u($seed, i, 'sold_out') < 0.1 THEN 0
                        ELSE g_ri($seed, i, 'stock', 5, 60) * $stock_scale END
            FROM range(len($reward_names)) t(i) ORDER BY i
            """,
        ],
    ),
    (
        "redemptions",
        [
            # Up to four wishes a volunteer, kept while their running total stays within half of all
            # the points they earned, each redeemed once their points earned so far cover it: no
            # balance is ever negative, on any day.
            """
            INSERT INTO redemptions
            WITH earned AS (
                SELECT volunteer_id, sum(points) AS total FROM services GROUP BY volunteer_id
            ), wished AS (
                SELECT v.vi, v.volunteer_id, e.total, w, v.vi * 8 + w AS k,
                       g_ri($seed, v.vi * 8 + w, 'reward', 1, len($reward_costs)) AS reward
                FROM g_volunteer v JOIN earned e USING (volunteer_id),
                     range(g_ri($seed, v.vi, 'n_redemptions', 0, 4)) r(w)
            ), kept AS (
                SELECT *, $reward_costs[reward] AS cost,
                       sum($reward_costs[reward]) OVER (PARTITION BY vi ORDER BY w) AS spent_so_far
                FROM wished
                QUALIFY spent_so_far <= 0.5 * total
            ), running AS (
                SELECT volunteer_id, served_on,
                       sum(points) OVER (PARTITION BY volunteer_id ORDER BY served_on, service_id
                                         ROWS UNBOUNDED PRECEDING) AS earned_so_far
                FROM services WHERE volunteer_id IN (SELECT volunteer_id FROM kept)
            ), dated AS (
                SELECT k.*, least($as_of, r.served_on + g_ri($seed, k.k, 'delay', 0, 10))::DATE AS redeemed_on
                FROM kept k ASOF JOIN running r
                    ON k.volunteer_id = r.volunteer_id AND k.spent_so_far <= r.earned_so_far
            )
            SELECT printf('D%07d', row_number() OVER (ORDER BY k)), volunteer_id, printf('R%02d', reward),
                   redeemed_on, cost
            FROM dated ORDER BY k
            """,
        ],
    ),
    (
        "meta",
        ["INSERT INTO meta VALUES ('as_of', $as_of_text), ('data_version', $data_version)"],
    ),
]


def _params(compounds: int, months: int, seed: int) -> dict:
    start = _add_months(date(AS_OF.year, AS_OF.month, 1), -(months - 1))
    return {
        "seed": seed,
        "compounds": compounds,
        "months": months,
        "as_of": AS_OF,
        "as_of_text": AS_OF.isoformat(),
        "data_end": datetime.combine(AS_OF, dtime(23, 59, 59)),
        "data_version": f"generated-{compounds}-{months}-{seed}",
        "start": start,
        "plan_start": FIRST_BATCH,
        "first_batch": FIRST_BATCH,
        # Batches run from FIRST_BATCH to three months before as_of.
        "n_batches": (AS_OF.year * 12 + AS_OF.month - 3) - (FIRST_BATCH.year * 12 + FIRST_BATCH.month - 1),
        "joined_from": start - timedelta(days=180),
        "n_communities": None,  # known once the communities are made
        "n_companies": max(1, round(compounds / 10)),
        "n_units": max(1, round(compounds / 5)),
        "districts": DISTRICTS,
        "street_stems": STREET_STEMS,
        "community_stems": COMMUNITY_STEMS,
        "company_stems": COMPANY_STEMS,
        "company_kinds": _slots([("market", 60), ("public_interest", 25), ("self_managed", 15)]),
        "roads": ROADS,
        "employers": EMPLOYERS,
        "structures": STRUCTURES,
        "partner_kinds": [k for k, _t in PARTNER_TEMPLATES],
        "partner_templates": [t for _k, t in PARTNER_TEMPLATES],
        "item_types": list(demo.ITEM_TYPES),
        "item_categories": [v[0] for v in demo.ITEM_TYPES.values()],
        "item_titles": [v[1] for v in demo.ITEM_TYPES.values()],
        "item_budgets": [v[2] for v in demo.ITEM_TYPES.values()],
        "fundings": _slots([("government", 65), ("mixed", 20), ("residents", 10), ("partner", 5)]),
        "stages": demo.STAGES,
        "stage_progress": [float(demo.STAGE_PROGRESS[s]) for s in demo.STAGES],
        "stage_notes": [PROGRESS_NOTE[s] for s in demo.STAGES],
        "contribution_kinds": _slots([("service", 50), ("materials", 20), ("funds", 15), ("works", 15)]),
        "contribution_kind_names": list(CONTRIBUTION_TEMPLATES),
        "contribution_templates": list(CONTRIBUTION_TEMPLATES.values()),
        "activities": demo.ACTIVITIES,
        "activities_after_covid": [a for a in demo.ACTIVITIES if a != demo.COVID_ACTIVITY],
        "covid_end": demo.COVID_END,
        "service_subjects": [a for a in demo.CONTRIBUTION_SUBJECTS["service"] if a != demo.COVID_ACTIVITY],
        "materials_subjects": demo.CONTRIBUTION_SUBJECTS["materials"],
        "funds_subjects": demo.CONTRIBUTION_SUBJECTS["funds"],
        "works_subjects": demo.CONTRIBUTION_SUBJECTS["works"],
        "time_limits": [demo.TIME_LIMIT_DAYS[c] for c, _s, _w in demo.REQUEST_CATEGORIES],
        "construction_step": demo.STAGES.index("construction"),
        "requests_per_month": REQUESTS_PER_COMPOUND_MONTH,
        "category_codes": [c for c, _s, _w in demo.REQUEST_CATEGORIES],
        "category_summaries": [s for _c, s, _w in demo.REQUEST_CATEGORIES],
        "category_slots": _slots([(n, w) for n, (_c, _s, w) in enumerate(demo.REQUEST_CATEGORIES, start=1)]),
        "channels": _slots(demo.CHANNELS),
        "handlers": _slots([("property", 55), ("community", 30), ("partner", 10), ("other", 5)]),
        "satisfaction_fast": _slots([(5, 50), (4, 30), (3, 10), (2, 6), (1, 4)]),
        "satisfaction_slow": _slots([(5, 20), (4, 25), (3, 25), (2, 20), (1, 10)]),
        "volunteer_kinds": _slots(
            [("resident", 60), ("sunk_party_member", 20), ("property_staff", 10), ("partner_staff", 10)]
        ),
        "activity_levels": [0.25, 0.5, 1.0, 2.0],
        "services_per_day": SERVICES_PER_VOLUNTEER_DAY,
        "surnames": list(demo.SURNAMES),
        "given": list(demo.GIVEN),
        "hours": [1.0, 1.5, 2.0, 2.0, 3.0, 4.0],
        "points_per_hour": settings.points_per_hour(),
        "reward_names": [n for n, _c in REWARDS],
        "reward_costs": [float(c) for _n, c in REWARDS],
        "stock_scale": max(1, compounds // 12),
    }


def _run(con: duckdb.DuckDBPyConnection, sql: str, params: dict) -> None:
    """Execute one statement with the parameters it names, and consume its result."""
    used = set(re.findall(r"\$(\w+)", sql))
    con.execute(sql, {k: v for k, v in params.items() if k in used}).fetchall()


def build(db_file: Path, compounds: int, months: int = 36, seed: int = 1, progress: bool = True) -> dict[str, int]:
    """Create db_file afresh with synthetic data; return the row count of every table.

    The database is built next to db_file and renamed into place at the end, so a half-built
    file never appears under the real name.
    """
    if compounds < 1:
        raise ValueError("compounds must be at least 1")
    if not 1 <= months <= 600:
        raise ValueError("months must be between 1 and 600")
    db_file = Path(db_file)
    db_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_file.with_name(db_file.name + ".building")
    tmp.unlink(missing_ok=True)
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    params = _params(compounds, months, seed)
    counts: dict[str, int] = {}
    started = time.perf_counter()
    con = duckdb.connect(str(tmp))
    try:
        db.create_schema(con)
        for sql in RANDOM_MACROS:
            _run(con, sql, params)
        for n, (table, statements) in enumerate(STEPS, start=1):
            t0 = time.perf_counter()
            if progress:
                print(f"[{n:2d}/{len(STEPS)}] {table:<22} ...", end="", file=sys.stderr, flush=True)
            for sql in statements:
                _run(con, sql, params)
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if table == "communities":
                params["n_communities"] = counts[table]
            if progress:
                print(f" {counts[table]:>11,} rows {time.perf_counter() - t0:7.1f}s", file=sys.stderr, flush=True)
        rollups.rebuild(con)
        con.execute("CHECKPOINT").fetchall()
    finally:
        con.close()
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    tmp.replace(db_file)
    if progress:
        total = sum(counts.values())
        print(f"built {db_file}: {total:,} rows in {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return counts
