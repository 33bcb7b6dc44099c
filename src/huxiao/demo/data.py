"""Static demo data for Huxiao: one fictional sub-district in 杭州市西湖区.

The sub-district (文澜街道), its communities, police station and units are
fictional, but placed on real roads of Hangzhou's Xihu District, in the block
between 丰潭路 (west), 学院路 (east), 天目山路 (south) and 文一路 (north).
Every coordinate is WGS-84 (lat, lng), 6 decimals, and lies within about
2 km of the sub-district office. Names, house numbers and phone numbers are
invented.

This module is plain data: it imports nothing from Django, so it can be used
by seed commands, tests and fixtures alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

OfficeKind = Literal["governance", "education", "supervision"]
UnitKind = Literal["kindergarten", "primary", "middle", "nine_year", "high"]
LatLng = tuple[float, float]

CITY: Final = "杭州市"
DISTRICT: Final = "西湖区"
CITY_EN: Final = "Hangzhou"
DISTRICT_EN: Final = "Xihu District"
AREA_CODE: Final = "0571"


@dataclass(frozen=True, slots=True)
class Subdistrict:
    code: str
    name: str
    name_en: str
    address: str
    lat: float
    lng: float


@dataclass(frozen=True, slots=True)
class Community:
    code: str
    name: str
    name_en: str
    lat: float
    lng: float
    # Closed ring: the last point repeats the first.
    boundary: tuple[LatLng, ...]


@dataclass(frozen=True, slots=True)
class PoliceStation:
    code: str
    name: str
    name_en: str
    address: str
    lat: float
    lng: float
    phone: str


@dataclass(frozen=True, slots=True)
class Office:
    code: str
    name: str
    name_en: str
    kind: OfficeKind


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    name_en: str
    kind: UnitKind
    pupils: int
    boarding: bool
    community: str
    address: str
    lat: float
    lng: float
    principal: str
    phone: str


SUBDISTRICT: Final = Subdistrict(
    code="SD01",
    name="文澜街道",
    name_en="Wenlan Subdistrict",
    address="杭州市西湖区文三路318号",
    lat=30.278600,
    lng=120.127900,
)

# Six communities tiling a ~2.6 km x 1.8 km block in a 3 x 2 grid
# (north row C01-C03, south row C04-C06, west to east). Neighbours share
# their edge vertices exactly, so the polygons do not overlap.
COMMUNITIES: Final[tuple[Community, ...]] = (
    Community(
        code="C01",
        name="翠柏社区",
        name_en="Cuibai Community",
        lat=30.284200,
        lng=120.119500,
        boundary=(
            (30.280000, 120.115000),
            (30.280600, 120.119500),
            (30.280000, 120.124000),
            (30.284000, 120.123600),
            (30.288000, 120.124000),
            (30.288400, 120.119500),
            (30.288000, 120.115000),
            (30.280000, 120.115000),
        ),
    ),
    Community(
        code="C02",
        name="文华社区",
        name_en="Wenhua Community",
        lat=30.284000,
        lng=120.128500,
        boundary=(
            (30.280000, 120.124000),
            (30.279500, 120.128500),
            (30.280000, 120.133000),
            (30.284000, 120.133400),
            (30.288000, 120.133000),
            (30.288000, 120.124000),
            (30.284000, 120.123600),
            (30.280000, 120.124000),
        ),
    ),
    Community(
        code="C03",
        name="学苑社区",
        name_en="Xueyuan Community",
        lat=30.284000,
        lng=120.137500,
        boundary=(
            (30.280000, 120.133000),
            (30.280300, 120.137500),
            (30.280000, 120.142000),
            (30.288000, 120.142000),
            (30.287700, 120.137500),
            (30.288000, 120.133000),
            (30.284000, 120.133400),
            (30.280000, 120.133000),
        ),
    ),
    Community(
        code="C04",
        name="丰潭社区",
        name_en="Fengtan Community",
        lat=30.276000,
        lng=120.119500,
        boundary=(
            (30.272000, 120.115000),
            (30.272000, 120.124000),
            (30.276000, 120.124300),
            (30.280000, 120.124000),
            (30.280600, 120.119500),
            (30.280000, 120.115000),
            (30.272000, 120.115000),
        ),
    ),
    Community(
        code="C05",
        name="益乐社区",
        name_en="Yile Community",
        lat=30.275900,
        lng=120.128500,
        boundary=(
            (30.272000, 120.124000),
            (30.272000, 120.133000),
            (30.276000, 120.132700),
            (30.280000, 120.133000),
            (30.279500, 120.128500),
            (30.280000, 120.124000),
            (30.276000, 120.124300),
            (30.272000, 120.124000),
        ),
    ),
    Community(
        code="C06",
        name="黄姑山社区",
        name_en="Huangushan Community",
        lat=30.276100,
        lng=120.137500,
        boundary=(
            (30.272000, 120.133000),
            (30.272000, 120.142000),
            (30.280000, 120.142000),
            (30.280300, 120.137500),
            (30.280000, 120.133000),
            (30.276000, 120.132700),
            (30.272000, 120.133000),
        ),
    ),
)

POLICE_STATION: Final = PoliceStation(
    code="PS01",
    name="文澜派出所",
    name_en="Wenlan Police Station",
    address="杭州市西湖区文二路206号",
    lat=30.282600,
    lng=120.131200,
    phone="0571-88271110",
)

OFFICES: Final[tuple[Office, ...]] = (
    Office(
        code="GOV",
        name="文澜街道综治办",
        name_en="Comprehensive Governance Office",
        kind="governance",
    ),
    Office(
        code="EDU",
        name="文澜街道教委办",
        name_en="Education Committee Office",
        kind="education",
    ),
    Office(
        code="SUP",
        name="文澜街道督查室",
        name_en="Supervision Office",
        kind="supervision",
    ),
)

UNITS: Final[tuple[Unit, ...]] = (
    # --- Kindergartens -----------------------------------------------------
    Unit(
        code="K01",
        name="翠柏第一幼儿园",
        name_en="Cuibai No.1 Kindergarten",
        kind="kindergarten",
        pupils=265,
        boarding=False,
        community="C01",
        address="杭州市西湖区翠柏路58号",
        lat=30.285100,
        lng=120.118600,
        principal="沈丽华",
        phone="0571-88203516",
    ),
    Unit(
        code="K02",
        name="丰潭幼儿园",
        name_en="Fengtan Kindergarten",
        kind="kindergarten",
        pupils=180,
        boarding=False,
        community="C01",
        address="杭州市西湖区丰潭路312号",
        lat=30.282300,
        lng=120.116700,
        principal="周晓燕",
        phone="0571-88205274",
    ),
    Unit(
        code="K03",
        name="文华幼儿园",
        name_en="Wenhua Kindergarten",
        kind="kindergarten",
        pupils=320,
        boarding=False,
        community="C02",
        address="杭州市西湖区文二路226号",
        lat=30.284700,
        lng=120.126800,
        principal="陈雅琴",
        phone="0571-88213609",
    ),
    Unit(
        code="K04",
        name="古翠幼儿园",
        name_en="Gucui Kindergarten",
        kind="kindergarten",
        pupils=150,
        boarding=False,
        community="C02",
        address="杭州市西湖区古翠路75号",
        lat=30.282100,
        lng=120.125200,
        principal="楼佳敏",
        phone="0571-88214832",
    ),
    Unit(
        code="K05",
        name="学苑幼儿园",
        name_en="Xueyuan Kindergarten",
        kind="kindergarten",
        pupils=390,
        boarding=False,
        community="C03",
        address="杭州市西湖区学院路129号",
        lat=30.283900,
        lng=120.138600,
        principal="王婷",
        phone="0571-88226470",
    ),
    Unit(
        code="K06",
        name="学苑第二幼儿园",
        name_en="Xueyuan No.2 Kindergarten",
        kind="kindergarten",
        pupils=120,
        boarding=False,
        community="C03",
        address="杭州市西湖区文一路167号",
        lat=30.286700,
        lng=120.135100,
        principal="徐静怡",
        phone="0571-88227315",
    ),
    Unit(
        code="K07",
        name="益乐幼儿园",
        name_en="Yile Kindergarten",
        kind="kindergarten",
        pupils=230,
        boarding=False,
        community="C04",
        address="杭州市西湖区益乐路39号",
        lat=30.277800,
        lng=120.120400,
        principal="金慧芳",
        phone="0571-88232058",
    ),
    Unit(
        code="K08",
        name="枫华幼儿园",
        name_en="Fenghua Kindergarten",
        kind="kindergarten",
        pupils=95,
        boarding=False,
        community="C04",
        address="杭州市西湖区丰潭路88号",
        lat=30.274300,
        lng=120.117200,
        principal="吴倩",
        phone="0571-88233741",
    ),
    Unit(
        code="K09",
        name="文澜中心幼儿园",
        name_en="Wenlan Central Kindergarten",
        kind="kindergarten",
        pupils=410,
        boarding=False,
        community="C05",
        address="杭州市西湖区文三路285号",
        lat=30.277200,
        lng=120.126100,
        principal="朱美玲",
        phone="0571-88241963",
    ),
    Unit(
        code="K10",
        name="黄姑山幼儿园",
        name_en="Huangushan Kindergarten",
        kind="kindergarten",
        pupils=280,
        boarding=False,
        community="C06",
        address="杭州市西湖区黄姑山路26号",
        lat=30.276600,
        lng=120.135800,
        principal="胡雪梅",
        phone="0571-88252687",
    ),
    Unit(
        code="K11",
        name="万塘幼儿园",
        name_en="Wantang Kindergarten",
        kind="kindergarten",
        pupils=160,
        boarding=False,
        community="C06",
        address="杭州市西湖区万塘路47号",
        lat=30.273600,
        lng=120.139900,
        principal="郑宁",
        phone="0571-88253190",
    ),
    # --- Schools -------------------------------------------------------------
    Unit(
        code="S01",
        name="翠柏小学",
        name_en="Cuibai Primary School",
        kind="primary",
        pupils=1260,
        boarding=False,
        community="C01",
        address="杭州市西湖区翠柏路101号",
        lat=30.286400,
        lng=120.121500,
        principal="孙建平",
        phone="0571-88206128",
    ),
    Unit(
        code="S02",
        name="文华中学",
        name_en="Wenhua Middle School",
        kind="middle",
        pupils=1180,
        boarding=False,
        community="C02",
        address="杭州市西湖区文二路188号",
        lat=30.286000,
        lng=120.130400,
        principal="蒋国庆",
        phone="0571-88215046",
    ),
    Unit(
        code="S03",
        name="学院路小学",
        name_en="Xueyuan Road Primary School",
        kind="primary",
        pupils=1720,
        boarding=False,
        community="C03",
        address="杭州市西湖区学院路140号",
        lat=30.282400,
        lng=120.140100,
        principal="俞海燕",
        phone="0571-88228903",
    ),
    Unit(
        code="S04",
        name="文澜九年一贯制学校",
        name_en="Wenlan Nine-Year School",
        kind="nine_year",
        pupils=1580,
        boarding=True,
        community="C03",
        address="杭州市西湖区学院路176号",
        lat=30.285800,
        lng=120.140600,
        principal="方志强",
        phone="0571-88229567",
    ),
    Unit(
        code="S05",
        name="丰潭中学",
        name_en="Fengtan Middle School",
        kind="middle",
        pupils=940,
        boarding=False,
        community="C04",
        address="杭州市西湖区丰潭路156号",
        lat=30.275600,
        lng=120.122000,
        principal="钱伟东",
        phone="0571-88234415",
    ),
    Unit(
        code="S06",
        name="文澜高级中学",
        name_en="Wenlan Senior High School",
        kind="high",
        pupils=2280,
        boarding=True,
        community="C05",
        address="杭州市西湖区天目山路402号",
        lat=30.274100,
        lng=120.130300,
        principal="许振华",
        phone="0571-88242731",
    ),
    Unit(
        code="S07",
        name="新苗小学",
        name_en="Xinmiao Primary School",
        kind="primary",
        pupils=84,
        boarding=False,
        community="C05",
        address="杭州市西湖区文三路339号",
        lat=30.278400,
        lng=120.131400,
        principal="何春生",
        phone="0571-88243852",
    ),
    Unit(
        code="S08",
        name="黄姑山中学",
        name_en="Huangushan Middle School",
        kind="middle",
        pupils=1320,
        boarding=False,
        community="C06",
        address="杭州市西湖区黄姑山路61号",
        lat=30.277900,
        lng=120.140200,
        principal="杨立新",
        phone="0571-88254376",
    ),
    Unit(
        code="S09",
        name="万塘小学",
        name_en="Wantang Primary School",
        kind="primary",
        pupils=860,
        boarding=False,
        community="C06",
        address="杭州市西湖区万塘路18号",
        lat=30.274700,
        lng=120.134600,
        principal="林晓东",
        phone="0571-88255618",
    ),
)

# Name lists are kept compact, several per line.
# fmt: off
GUARD_NAMES: Final[tuple[str, ...]] = (
    # male
    "王建国", "李志强", "张卫东", "刘国平", "陈金发", "杨永康", "赵德明", "黄海涛",
    "周建华", "吴世杰", "徐国庆", "孙宏伟", "胡长林", "朱立新", "高振宇", "林宝根",
    "何春雷", "郭文斌", "马俊杰", "罗正刚", "梁海波", "宋连生", "郑伟民", "谢广福",
    "韩红军", "唐建平", "冯志明", "于兴旺", "董成龙", "程学军", "曹立群", "袁洪亮",
    "邓家宝", "许荣华", "傅晓军", "沈根土", "曾庆丰", "彭永辉", "吕德胜", "蒋卫国",
    # female
    "王秀英", "李桂芳", "张玉兰", "刘美华", "陈月娥", "杨素珍", "赵丽萍", "黄春燕",
    "周凤英", "吴金花", "徐红梅", "孙亚琴", "胡小芬", "朱彩霞", "高淑珍", "林雪芳",
    "何爱萍", "郭海燕", "马晓红", "罗秀兰",
)

SURNAMES: Final[tuple[str, ...]] = (
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴",
    "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
    "梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧",
    "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "蒋",
)

CHILD_GIVEN_NAMES: Final[tuple[str, ...]] = (
    "子涵", "梓轩", "一诺", "浩宇", "欣怡", "宇轩", "诗涵", "俊熙", "雨桐", "子墨",
    "若汐", "皓轩", "可馨", "沐阳", "思彤", "睿泽", "语嫣", "天佑", "梓萱", "博文",
    "嘉怡", "明哲", "依依", "晨阳", "佳琪", "子豪", "心怡", "奕辰", "梦瑶", "志远",
    "悦溪", "铭轩", "安琪", "逸飞", "雨萱", "乐天", "静姝", "瑞霖", "思源", "晓萌",
)
# fmt: on
