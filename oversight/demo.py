"""The demo data: Taibei Street (台北街道) with Hemei Community (和美社区) as the article tells it.

`write_csvs` makes data/demo/*.csv deterministically (the committed files are its output);
`build` loads those CSVs into a fresh database. Facts from the source article are fixed
here by hand; everything else is drawn from a seeded random generator.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb

from oversight import db, domain, fmt, rollups, settings

AS_OF = date(2023, 9, 30)
DATA_VERSION = "demo-2023-09-30"
PLAN_START = date(2021, 10, 1)

HEMEI = "C01"
CCCC_UNIT = "P01"  # 中国交建一公局集团华中公司

COMMUNITIES = [
    ("C01", "和美社区"),
    ("C02", "台北一路社区"),
    ("C03", "香港路社区"),
    ("C04", "长春街社区"),
]

COMPANIES = [
    ("M01", "和美红色物业服务中心", "public_interest", True, 6),
    ("M02", "武汉市江岸区城市物业管理有限公司", "market", True, 4),
    ("M03", "武汉安居物业服务有限公司", "market", False, 1),
    ("M04", "台北街道居民自管小组", "self_managed", True, 3),
    ("M05", "汉口城建物业有限公司", "market", True, 2),
]

# The three dormitories of the article: (name, built_year, buildings, units, households,
# elderly_share, chute building units). 省二轻 was built in 1990.
DORMITORIES = [
    ("湖北省第二轻工业局宿舍", 1990, 1, 3, 36, 0.72, 3),
    ("市水产宿舍", 1988, 1, 3, 42, 0.68, 3),
    ("汉口渔场宿舍", 1986, 1, 2, 28, 0.75, 2),
]
DORMITORY_FLOORS = 7
OTHER_HEMEI = [
    "和美小区",
    "台北一路12号院",
    "江岸区粮食局宿舍",
    "市第二医院宿舍",
    "铁路新村",
    "武汉水运公司宿舍",
    "新华印刷厂宿舍",
    "台北路78号院",
    "市建二公司宿舍",
]
OTHER_COMPOUNDS = {
    "C02": ["台北一路小区", "江岸供电宿舍", "市粮校宿舍", "交通局宿舍", "台北花园", "百步亭路小区"],
    "C03": ["香港路37号院", "市委党校宿舍", "长航宿舍", "江汉小区", "民生里"],
    "C04": ["长春街小区", "武汉锅炉厂宿舍", "纺织厂宿舍", "市邮电宿舍", "长春里", "解放公园路小区"],
}

PARTNERS = [
    ("P01", "中国交建一公局集团华中公司", "soe", "C01", date(2021, 10, 15)),
    ("P02", "国网武汉供电公司江岸分公司", "soe", "C02", date(2021, 5, 10)),
    # A sunk unit (下沉单位) of the district; the renovation authority itself is no partner.
    ("P03", "国家税务总局武汉市江岸区税务局", "agency", "C01", date(2020, 3, 1)),
    ("P04", "武汉市第六医院", "institution", "C03", date(2021, 8, 20)),
    ("P05", "台北路小学", "institution", "C04", date(2022, 2, 18)),
    ("P06", "江岸区爱心家政服务社", "ngo", "C01", date(2022, 4, 1)),
    ("P07", "武汉鑫达建材有限公司", "private", "C04", date(2022, 6, 12)),
]

ITEM_TYPES = {
    # item_type: (category, title, typical budget yuan)
    "pipes": ("basic", "更换老化供水管网", 380_000),
    "roof": ("basic", "屋面防水维修", 260_000),
    "facade": ("basic", "外立面整治", 450_000),
    "roads": ("basic", "小区道路修补", 220_000),
    "lighting": ("basic", "楼道及路灯照明改造", 90_000),
    "parking": ("improvement", "增设停车位", 180_000),
    "greening": ("improvement", "绿化提升", 120_000),
    "elevator": ("improvement", "加装电梯", 700_000),
    "ageing_friendly": ("upgrade", "适老化扶手与坡道", 80_000),
    "care_facility": ("upgrade", "社区养老服务点", 300_000),
    "smart_security": ("upgrade", "智能门禁与监控", 150_000),
}
STAGES = list(domain.STAGES)
STAGE_PROGRESS = {
    "survey": 5,
    "consent": 10,
    "design": 15,
    "tendering": 25,
    "construction": 60,
    "acceptance": 95,
    "done": 100,
}
STAGE_NOTES = {
    "survey": "入户摸排",
    "consent": "居民意愿征询与表决",
    "design": "设计方案公示",
    "tendering": "完成招标",
    "construction": "进场施工",
    "acceptance": "居民代表参与验收",
    "done": "完工",
}
REQUEST_CATEGORIES = [
    ("leak", "楼顶漏水", 14),
    ("stairs_elevator", "楼道狭窄老人上下楼难，希望加装电梯", 12),
    ("sanitation", "垃圾清运不及时", 14),
    ("parking", "车辆乱停占道", 12),
    ("lighting", "楼道灯不亮", 10),
    ("greening", "树木遮挡采光", 6),
    ("noise", "夜间施工噪音", 8),
    ("security", "门禁损坏", 8),
    ("fees", "物业费收支不透明", 6),
    ("other", "其他诉求", 10),
]
CHANNELS = [("hotline_12345", 40), ("visit", 25), ("council", 10), ("online", 20), ("other", 5)]
SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "华明英芳军丽强敏静杰涛霞平刚燕红玲建国秀兰文斌伟桂珍志勇海"
ACTIVITIES = [
    "楼道清扫",
    "政策宣传",
    "助老探访",
    "垃圾分类督导",
    "文明劝导",
    "核酸检测协助",
    "施工安全巡查",
    "义诊服务",
]
# Mass testing ended in December 2022: no 核酸 help is recorded after it.
COVID_ACTIVITY, COVID_END = "核酸检测协助", date(2022, 12, 31)
# What each kind of contribution is about: works are building jobs, never a service like 政策宣传.
CONTRIBUTION_SUBJECTS = {
    "service": [a for a in ACTIVITIES if a != "施工安全巡查"],
    "materials": ["助老探访", "垃圾分类督导", "义诊服务", "防汛备勤"],
    "funds": ["困难家庭帮扶", "社区养老服务点运营", "楼道微改造"],
    "works": ["楼道粉刷", "下水管道疏通", "破损路面修补", "楼道照明维修"],
}
# 办理时限 (days) by request category, as the street sets them.
TIME_LIMIT_DAYS = {
    "leak": 7,
    "stairs_elevator": 30,
    "sanitation": 3,
    "parking": 7,
    "lighting": 5,
    "greening": 15,
    "noise": 3,
    "security": 7,
    "fees": 15,
    "other": 15,
}


def activities_on(day: date) -> list[str]:
    """The service activities that could have happened on day."""
    return [a for a in ACTIVITIES if a != COVID_ACTIVITY or day <= COVID_END]


REWARDS = [
    ("R01", "大米5kg", 20, 40),
    ("R02", "食用油1.8L", 15, 35),
    ("R03", "洗衣液", 8, 60),
    ("R04", "理发券", 5, 80),
    ("R05", "保温杯", 12, 3),
    ("R06", "家电清洗服务", 30, 2),
    ("R07", "毛巾礼盒", 6, 50),
    ("R08", "血压计", 40, 4),
]


def _month_starts(start: date, end: date) -> list[date]:
    months, m = [], date(start.year, start.month, 1)
    while m <= end:
        months.append(m)
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return months


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _masked_name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}*{rng.choice(GIVEN)}"


def _compound(n: int, community_id: str, name: str, *, floors: int, **facts) -> dict:
    """A compounds row: the n-th compound's id (X001...) and map position follow from n."""
    return dict(
        compound_id=f"X{n:03d}",
        community_id=community_id,
        name=name,
        **facts,
        lat=round(30.6135 + n * 0.0011, 6),
        lon=round(114.2870 + n * 0.0009, 6),
        floors=floors,
    )


@dataclass(frozen=True)
class _OlderStock:
    """How a group of older compounds is drawn: the ranges of its size, age and make."""

    max_buildings: int
    built: tuple[int, int]
    per_unit: tuple[int, int]  # households per unit
    elderly: tuple[float, float]
    companies: tuple[str | None, ...]
    floors: tuple[int, int]  # the n-th compound has floors[0] + n % floors[1]


HEMEI_STOCK = _OlderStock(8, (1978, 1999), (10, 14), (0.28, 0.55), ("M01", "M02", "M04"), (5, 4))
OTHER_STOCK = _OlderStock(10, (1975, 2000), (10, 16), (0.2, 0.5), ("M02", "M03", "M05", None), (4, 5))


def _older_compound(
    rng: random.Random, n: int, community_id: str, name: str, stock: _OlderStock, plan: str | list[str] | None
) -> dict:
    """The n-th compound, of an older stock, its facts drawn from rng in a fixed order (the demo's numbers
    depend on it). plan: its renovation batch, or the batches one is drawn from; None: not in the plan."""
    buildings = rng.randint(2, stock.max_buildings)
    units = buildings * rng.randint(2, 4)
    return _compound(
        n,
        community_id,
        name,
        built_year=rng.randint(*stock.built),
        buildings=buildings,
        units=units,
        households=units * rng.randint(*stock.per_unit),
        elderly_share=round(rng.uniform(*stock.elderly), 2),
        structure=rng.choice(["砖混", "钢筋混凝土"]),
        plan_batch=rng.choice(plan) if isinstance(plan, list) else plan,
        in_renovation_plan=plan is not None,
        company_id=rng.choice(stock.companies),
        floors=stock.floors[0] + n % stock.floors[1],
    )


def _place_tables(rng: random.Random):
    communities = [(cid, name, "台北街道", "江岸区", "武汉市") for cid, name in COMMUNITIES]
    compounds = []
    n = 0
    for name, built, buildings, units, households, elderly, _ in DORMITORIES:
        n += 1
        compounds.append(
            _compound(
                n,
                HEMEI,
                name,
                built_year=built,
                buildings=buildings,
                units=units,
                households=households,
                elderly_share=elderly,
                structure="钢筋混凝土",
                plan_batch="2021-10",
                in_renovation_plan=True,
                company_id="M01",
                floors=DORMITORY_FLOORS,
            )
        )
    for name in OTHER_HEMEI:
        n += 1
        compounds.append(_older_compound(rng, n, HEMEI, name, HEMEI_STOCK, plan="2021-10"))
    for cid, names in OTHER_COMPOUNDS.items():
        for i, name in enumerate(names):
            n += 1
            # All but the last two of a community are in a later batch of the plan.
            plan = ["2022-06", "2023-03"] if i < len(names) - 2 else None
            compounds.append(_older_compound(rng, n, cid, name, OTHER_STOCK, plan))
    companies = [
        dict(company_id=c, name=nm, kind=k, has_party_branch=b, party_members=p) for c, nm, k, b, p in COMPANIES
    ]
    partners = [dict(unit_id=u, name=nm, kind=k, community_id=c, joined_on=j) for u, nm, k, c, j in PARTNERS]
    return communities, companies, compounds, partners


def _item_state(rng: random.Random, planned_start: date, planned_end: date, overdue_bias: float):
    """Stage, progress and actual dates for an item given its plan, as seen on AS_OF."""
    if planned_start > AS_OF:
        return rng.choice(["survey", "design"]), None, None
    delay = timedelta(days=rng.randint(0, 40))
    actual_start = planned_start + delay
    if actual_start > AS_OF:
        return "tendering", None, None
    late = rng.random() < overdue_bias
    end = planned_end + timedelta(days=rng.randint(30, 200) if late else rng.randint(-20, 15))
    end = max(end, actual_start + timedelta(days=20))
    if end <= AS_OF:
        return "done", actual_start, end
    span = (end - actual_start).days
    done_share = (AS_OF - actual_start).days / span
    return ("acceptance" if done_share > 0.85 else "construction"), actual_start, None


def _item(compound: dict, suffix: str, what: tuple[str, str, str], **facts) -> dict:
    """A renovation_items row of the compound: its id is the compound's and a suffix (X001-01, X001-ELEV);
    what: its category, item type and title."""
    category, item_type, title = what
    return dict(
        item_id=f"{compound['compound_id']}-{suffix}",
        compound_id=compound["compound_id"],
        category=category,
        item_type=item_type,
        title=title,
        **facts,
    )


def _renovation_tables(rng: random.Random, compounds):
    items, updates = [], []
    chute_items = []
    by_name = {c["name"]: c for c in compounds}
    # The article's chute removal: 3 buildings, 8 units, 20,000-30,000 yuan a unit, partner-funded.
    chute_cost_per_unit = [25_000, 26_000, 27_000]
    chute_dates = [
        (date(2022, 3, 1), date(2022, 4, 15)),
        (date(2022, 3, 20), date(2022, 5, 10)),
        (date(2022, 4, 10), date(2022, 5, 31)),
    ]
    for (name, *_rest, chute_units), per_unit, (start, end) in zip(
        DORMITORIES, chute_cost_per_unit, chute_dates, strict=True
    ):
        c = by_name[name]
        cost = per_unit * chute_units
        item = _item(
            c,
            "CHUTE",
            ("basic", "garbage_chute_removal", "拆除废弃垃圾通道（1栋楼）"),
            in_plan=False,
            funding="partner",
            stage="done",
            budget_yuan=cost,
            spent_yuan=cost,
            planned_start=start,
            planned_end=end,
            actual_start=start,
            actual_end=end - timedelta(days=3),
            progress_pct=100,
            units_affected=chute_units,
            buildings_affected=1,
            elevators=None,
        )
        items.append(item)
        chute_items.append(item)
        # The elevator follows in the same building, made possible by the freed stairwell space.
        e_start = date(2023, 3, 1) + timedelta(days=30 * len(items))
        stage = ["construction", "tendering", "design"][len(chute_items) - 1]
        items.append(
            _item(
                c,
                "ELEV",
                ("improvement", "elevator", "加装电梯（垃圾通道拆除后）"),
                in_plan=True,
                funding="mixed",
                stage=stage,
                budget_yuan=700_000 * chute_units // 2,
                spent_yuan=0 if stage != "construction" else 280_000,
                planned_start=e_start,
                planned_end=e_start + timedelta(days=240),
                actual_start=e_start + timedelta(days=10) if stage == "construction" else None,
                actual_end=None,
                progress_pct=STAGE_PROGRESS[stage],
                units_affected=chute_units,
                buildings_affected=1,
                elevators=chute_units,  # one elevator (台) a unit (单元)
            )
        )
    for c in compounds:
        if not c["in_renovation_plan"]:
            continue
        batch_start = date(int(c["plan_batch"][:4]), int(c["plan_batch"][5:]), 1)
        kinds = rng.sample([k for k in ITEM_TYPES if k != "elevator"], rng.randint(3, 6))
        if (
            c["compound_id"] not in {i["compound_id"] for i in items if i["item_type"] == "elevator"}
            and rng.random() < 0.4
        ):
            kinds.append("elevator")
        for k, kind in enumerate(kinds):
            category, title, budget = ITEM_TYPES[kind]
            budget = round(budget * rng.uniform(0.6, 1.5) * max(1, c["buildings"]) ** 0.5, -3)
            planned_start = batch_start + timedelta(days=60 + rng.randint(0, 540))
            planned_end = planned_start + timedelta(days=rng.randint(60, 240))
            stage, actual_start, actual_end = _item_state(rng, planned_start, planned_end, 0.3)
            progress = STAGE_PROGRESS[stage]
            if stage == "construction":
                progress = rng.randint(30, 85)
            spent = budget if stage == "done" else round(budget * progress / 100 * rng.uniform(0.8, 1.0), -2)
            if stage in ("survey", "design", "tendering"):
                spent = 0
            items.append(
                _item(
                    c,
                    f"{k + 1:02d}",
                    (category, kind, title),
                    in_plan=True,
                    funding=_weighted(rng, [("government", 70), ("mixed", 20), ("residents", 10)]),
                    stage=stage,
                    budget_yuan=budget,
                    spent_yuan=min(spent, budget * 1.08),
                    planned_start=planned_start,
                    planned_end=planned_end,
                    actual_start=actual_start,
                    actual_end=actual_end,
                    progress_pct=progress,
                    units_affected=rng.randint(1, c["units"]) if c["units"] else 0,
                    buildings_affected=None,
                    elevators=None,
                )
            )
            if kind == "elevator":
                # An elevator serves one unit: one 台 a unit it reaches.
                items[-1]["elevators"] = items[-1]["units_affected"]
    for item in items:
        updates.extend(_history(rng, item))
    return items, updates, chute_items


def _history(rng: random.Random, item) -> list[dict]:
    """One progress update for each stage the item has passed, ending at its current state.

    A partner's free job outside the plan goes straight from survey to works: no consultation,
    design 公示 or tender is held for it."""
    if not item["in_plan"] and item["funding"] == "partner":
        steps = [("survey", item["planned_start"] - timedelta(days=30)), ("construction", item["actual_start"])]
        if item["stage"] == "done":
            steps.append(("done", item["actual_end"]))
        return [
            dict(
                item_id=item["item_id"],
                reported_on=day,
                stage=stage,
                progress_pct=STAGE_PROGRESS[stage] if stage != item["stage"] else item["progress_pct"],
                note=STAGE_NOTES[stage],
            )
            for stage, day in steps
        ]
    last = STAGES.index(item["stage"])
    first_day = item["planned_start"] - timedelta(days=90)
    end_day = item["actual_end"] or min(AS_OF, max(item["actual_start"] or first_day, first_day) + timedelta(days=200))
    end_day = max(end_day, first_day + timedelta(days=last + 1))
    span = (end_day - first_day).days
    rows = []
    for s in range(last + 1):
        day = first_day + timedelta(days=span * s // max(last, 1)) if last else first_day
        if item["actual_start"] and STAGES[s] == "construction":
            day = max(day, item["actual_start"])
        if rows and day <= rows[-1]["reported_on"]:
            day = rows[-1]["reported_on"] + timedelta(days=1)
        day = min(day, AS_OF - timedelta(days=last - s))
        stage = STAGES[s]
        pct = STAGE_PROGRESS[stage] if s < last else item["progress_pct"]
        rows.append(
            dict(item_id=item["item_id"], reported_on=day, stage=stage, progress_pct=pct, note=STAGE_NOTES[stage])
        )
    return rows


def _contributions(rng: random.Random, compounds, items, chute_items):
    rows = []
    for n, item in enumerate(chute_items, start=1):
        rows.append(
            dict(
                contribution_id=f"K{n:04d}",
                unit_id=CCCC_UNIT,
                compound_id=item["compound_id"],
                item_id=item["item_id"],
                contributed_on=item["actual_end"],
                kind="works",
                description=f"免费拆除{item['units_affected']}个单元的废弃垃圾通道，为加装电梯腾出空间",
                value_yuan=item["spent_yuan"],
                volunteer_hours=item["units_affected"] * 24,
                participants=12,
                households_benefited=item["units_affected"] * 12,
            )
        )
    kinds = [("service", 50), ("materials", 20), ("funds", 15), ("works", 15)]
    descriptions = {
        "service": "组织志愿者开展{}",
        "materials": "捐赠{}所需物资",
        "funds": "资助{}",
        "works": "义务承担{}",
    }
    n = len(rows)
    joined = {u: j for u, _nm, _k, _c, j in PARTNERS}
    home = {u: c for u, _nm, _k, c, _j in PARTNERS}
    for _ in range(70):
        unit = rng.choice([p[0] for p in PARTNERS])
        local = [c for c in compounds if c["community_id"] == home[unit]]
        c = rng.choice(local if rng.random() < 0.8 else compounds)
        start = max(joined[unit], PLAN_START)
        on = start + timedelta(days=rng.randint(0, (AS_OF - start).days))
        kind = _weighted(rng, kinds)
        if kind == "funds" and unit == "P03":
            kind = "service"  # a government office gives its people's time, not public money
        subjects = CONTRIBUTION_SUBJECTS[kind]
        if kind == "service":
            subjects = [a for a in activities_on(on) if a in subjects]
        activity = rng.choice(subjects)
        value = {"service": rng.randint(5, 40) * 100, "materials": rng.randint(20, 200) * 100}.get(
            kind, rng.randint(50, 400) * 100
        )
        hours = rng.randint(4, 60) if kind in ("service", "works") else 0
        n += 1
        rows.append(
            dict(
                contribution_id=f"K{n:04d}",
                unit_id=unit,
                compound_id=c["compound_id"],
                item_id=None,
                contributed_on=on,
                kind=kind,
                description=descriptions[kind].format(activity),
                value_yuan=value,
                volunteer_hours=hours,
                participants=rng.randint(2, 20) if hours else 0,
                households_benefited=rng.randint(5, max(6, c["households"])),
            )
        )
    return rows


def _red_property(rng: random.Random, compounds):
    rows = []
    for c in compounds:
        base_fee = rng.uniform(55, 85)
        share = rng.uniform(0.15, 0.35)
        # Hemei's compounds all elected owners' committees; elsewhere a third have none, and none
        # where no company serves.
        committee = c["community_id"] == HEMEI or (c["company_id"] is not None and int(c["compound_id"][1:]) % 3)
        for i, m in enumerate(_month_starts(PLAN_START, AS_OF)):
            hemei = c["community_id"] == HEMEI
            staff = min(3, i // 6 + (1 if hemei else 0)) if c["company_id"] else 0
            rows.append(
                dict(
                    compound_id=c["compound_id"],
                    month=m,
                    company_id=c["company_id"],
                    cross_appointed_staff=staff,
                    party_members_serving=rng.randint(1, 4) + (2 if hemei else 0),
                    committee_party_share=round(min(0.9, share + i * 0.008), 3) if committee else None,
                    joint_meetings=rng.randint(0, 2) + (1 if hemei else 0),
                    fee_collection_pct=(
                        round(min(99.0, base_fee + i * 0.5 + rng.uniform(-4, 4)), 1) if c["company_id"] else None
                    ),
                    has_owners_committee=bool(committee),
                )
            )
    return rows


def _requests(rng: random.Random, compounds):
    rows = []
    start = datetime(2021, 10, 1, 8)
    total_seconds = int((datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=20) - start).total_seconds())
    end_of_day = datetime.combine(AS_OF, datetime.min.time()) + timedelta(hours=23, minutes=59)
    weights = [max(1, c["households"]) for c in compounds]
    for n in range(1, 1401):
        c = rng.choices(compounds, weights=weights)[0]
        received = start + timedelta(seconds=rng.randrange(total_seconds))
        received = received.replace(microsecond=0)
        cat, summary, _w = rng.choices(REQUEST_CATEGORIES, weights=[w for *_x, w in REQUEST_CATEGORIES])[0]
        slow = rng.random() < (0.22 if c["company_id"] is None else 0.1)
        respond_hours = rng.uniform(26, 96) if slow else rng.uniform(0.3, 20)
        responded = received + timedelta(hours=respond_hours)
        responded = responded.replace(microsecond=0) if responded <= end_of_day else None
        resolved = None
        # Recent requests are more often still open; old ones have mostly been closed.
        recent = (end_of_day - received).days < 90
        if responded and rng.random() < (0.8 if recent else 0.985):
            # Most are closed within their 办理时限; one in twelve (one in five where answers are slow) runs over.
            limit = TIME_LIMIT_DAYS[cat] * 24
            share = rng.uniform(0.05, 0.8) if n % (5 if slow else 12) else rng.uniform(1.05, 2.0)
            resolved = (responded + timedelta(hours=max(2, limit * share))).replace(microsecond=0)
            if resolved > end_of_day:
                resolved = None
        followup_resolved = followup_satisfaction = None
        if resolved and rng.random() < 0.8:
            # The 回访 call reached the resident: solved or not, and how satisfied.
            good = [(5, 58), (4, 30), (3, 7), (2, 3), (1, 2)]
            poor = [(5, 20), (4, 25), (3, 25), (2, 20), (1, 10)]
            score = _weighted(rng, poor if slow else good)
            # Solved and satisfied go mostly together, not always: a fix can work and still displease.
            followup_resolved = (
                "resolved" if score >= 4 or (score == 3 and n % 3) or (score == 2 and n % 3 == 0) else "unresolved"
            )
            followup_satisfaction = {5: "satisfied", 4: "satisfied", 3: "basically_satisfied"}.get(
                score, "dissatisfied"
            )
        rows.append(
            dict(
                request_id=f"Q{n:05d}",
                compound_id=c["compound_id"],
                received_at=received,
                channel=_weighted(rng, CHANNELS),
                category=cat,
                summary=summary,
                handler=_weighted(rng, [("property", 55), ("community", 30), ("partner", 10), ("other", 5)]),
                responded_at=responded,
                resolved_at=resolved,
                satisfaction=None,
                time_limit_days=TIME_LIMIT_DAYS[cat],
                followup_resolved=followup_resolved,
                followup_satisfaction=followup_satisfaction,
            )
        )
    rows.sort(key=lambda r: r["received_at"])
    return rows


def _volunteers(rng: random.Random, compounds):
    volunteers, services, redemptions = [], [], []
    kinds = [("resident", 60), ("sunk_party_member", 20), ("property_staff", 10), ("partner_staff", 10)]
    scheme_start = date(2022, 7, 1)  # the points scheme followed the article's "next step"
    v = 0
    for c in compounds:
        for _ in range(rng.randint(4, 12) if c["community_id"] != HEMEI else rng.randint(10, 16)):
            v += 1
            kind = _weighted(rng, kinds)
            unit = rng.choice([p[0] for p in PARTNERS]) if kind == "partner_staff" else None
            volunteers.append(
                dict(
                    volunteer_id=f"V{v:04d}",
                    compound_id=c["compound_id"],
                    display_name=_masked_name(rng),
                    kind=kind,
                    unit_id=unit,
                    joined_on=scheme_start + timedelta(days=rng.randint(0, 300)),
                )
            )
    s = 0
    for vol in volunteers:
        activity_level = rng.choice([1, 2, 4, 8])
        day = vol["joined_on"]
        while True:
            day += timedelta(days=rng.randint(max(3, 40 // activity_level), max(8, 90 // activity_level)))
            if day > AS_OF:
                break
            s += 1
            hours = rng.choice([1, 1.5, 2, 2, 3, 4])
            services.append(
                dict(
                    service_id=f"S{s:06d}",
                    volunteer_id=vol["volunteer_id"],
                    served_on=day,
                    activity=rng.choice(activities_on(day)),
                    hours=hours,
                    points=hours * 1,
                )
            )
    # Redemptions in date order, each only while the balance and stock allow it.
    balance = {vol["volunteer_id"]: 0.0 for vol in volunteers}
    stock = {r[0]: r[3] + 20 for r in REWARDS}
    events = sorted(services, key=lambda x: (x["served_on"], x["service_id"]))
    r = 0
    for ev in events:
        balance[ev["volunteer_id"]] += ev["points"]
        if rng.random() < 0.12:
            options = [rw for rw in REWARDS if rw[2] <= balance[ev["volunteer_id"]] and stock[rw[0]] > 0]
            if options:
                rw = rng.choice(options)
                r += 1
                on = min(AS_OF, ev["served_on"] + timedelta(days=rng.randint(0, 10)))
                redemptions.append(
                    dict(
                        redemption_id=f"D{r:05d}",
                        volunteer_id=ev["volunteer_id"],
                        reward_id=rw[0],
                        redeemed_on=on,
                        points_spent=rw[2],
                    )
                )
                balance[ev["volunteer_id"]] -= rw[2]
                stock[rw[0]] -= 1
    rewards = [dict(reward_id=a, name=b, points_cost=cost, stock=st) for a, b, cost, st in REWARDS]
    return volunteers, services, rewards, redemptions


def tables(seed: int = 20211015) -> dict[str, list]:
    """Every demo table as a list of rows (dicts, or tuples for communities)."""
    rng = random.Random(seed)
    communities, companies, compounds, partners = _place_tables(rng)
    items, updates, chute_items = _renovation_tables(rng, compounds)
    contributions = _contributions(rng, compounds, items, chute_items)
    red = _red_property(rng, compounds)
    requests = _requests(rng, compounds)
    volunteers, services, rewards, redemptions = _volunteers(rng, compounds)
    return {
        "communities": [
            dict(zip(["community_id", "name", "street", "district", "city"], c, strict=True)) for c in communities
        ],
        "property_companies": companies,
        "compounds": compounds,
        "partner_units": partners,
        "renovation_items": items,
        "progress_updates": updates,
        "contributions": contributions,
        "red_property_monthly": red,
        "requests": requests,
        "volunteers": volunteers,
        "services": services,
        "rewards": rewards,
        "redemptions": redemptions,
        "meta": [dict(key="as_of", value=AS_OF.isoformat()), dict(key="data_version", value=DATA_VERSION)],
    }


def write_csvs(out_dir: Path = settings.DEMO_DIR, seed: int = 20211015) -> None:
    """Write data/demo/*.csv (UTF-8, header row of contract column names)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in tables(seed).items():
        with open(out_dir / f"{name}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(list(rows[0].keys()))
            for row in rows:
                writer.writerow([fmt.cell(v) for v in row.values()])


def load_csvs(con: duckdb.DuckDBPyConnection, csv_dir: Path) -> None:
    """Load every table's CSV into an empty schema, typed by the schema itself."""
    for table in db.TABLES:
        path = csv_dir / f"{table}.csv"
        # read_csv with all-VARCHAR columns; the INSERT casts to the schema's types.
        con.execute(
            f"INSERT INTO {table} BY NAME SELECT * FROM read_csv(?, header = true, all_varchar = true)",  # noqa: S608
            [str(path)],
        )


def build(db_file: Path, csv_dir: Path = settings.DEMO_DIR) -> None:
    """Create db_file afresh from the demo CSVs, atomically: a half-built file never appears."""
    db_file = Path(db_file)
    db_file.parent.mkdir(parents=True, exist_ok=True)
    tmp = db_file.with_name(db_file.name + ".building")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        db.create_schema(con)
        con.execute("BEGIN")
        load_csvs(con, csv_dir)
        con.execute("COMMIT")
        rollups.rebuild(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    Path(str(tmp) + ".wal").unlink(missing_ok=True)
    tmp.replace(db_file)
