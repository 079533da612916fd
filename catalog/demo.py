"""The demo archive: a deterministic, realistic ISAS archive in record contract v1, every policy state included."""

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from catalog.policy import ISAS_ROR, JAXA_ROR
from catalog.timeutil import format_time
from catalog.vocab import AccessStatus, AfterDeadline, Category, Platform, Reproducible, RestrictionReason

DARTS_PUB = "https://data.darts.isas.jaxa.jp/pub"
DOI_PREFIX = "10.17597/isas.darts"
ISAS_PAGES = "https://www.isas.jaxa.jp/en/missions/spacecraft"
UTOKYO_ROR = "https://ror.org/057zh3y96"
ISAS = "Institute of Space and Astronautical Science (ISAS), JAXA"
JAXA = "Japan Aerospace Exploration Agency (JAXA)"
UTOKYO = "The University of Tokyo"
NO_MISSION_DOI_STEM = "isas"


@dataclass(frozen=True, slots=True)
class MissionSpec:
    id: str
    short: str
    name_en: str
    name_ja: str
    platform: Platform
    launched: str | None
    ended: str | None
    targets: tuple[str, ...]
    url: str | None
    about_en: str
    about_ja: str
    doi_stem: str
    credit: str | None = None


# fmt: off
MISSIONS: tuple[MissionSpec, ...] = (
    MissionSpec(
        "hayabusa", "Hayabusa", "Hayabusa (MUSES-C)", "はやぶさ", Platform.PROBE, "2003-05-09", "2010-06-13",
        ("25143 Itokawa",), f"{ISAS_PAGES}/past/hayabusa.html",
        "Asteroid explorer that brought back the first samples of an asteroid, Itokawa, in June 2010.",
        "小惑星イトカワの試料を2010年6月に世界で初めて持ち帰った小惑星探査機。",
        "hayabusa",
    ),
    MissionSpec(
        "hayabusa2", "Hayabusa2", "Hayabusa2", "はやぶさ2", Platform.PROBE, "2014-12-03", None,
        ("162173 Ryugu",), "https://www.hayabusa2.jaxa.jp/en/",
        "Asteroid explorer that sampled the carbonaceous asteroid Ryugu and delivered the samples to Earth in "
        "December 2020; now on an extended mission to asteroid 1998 KY26.",
        "炭素質小惑星リュウグウの試料を採取し、2020年12月に地球へ届けた小惑星探査機。"
        "拡張ミッションで小惑星1998 KY26へ向かう。",
        "hyb2",
    ),
    MissionSpec(
        "akatsuki", "Akatsuki", "Akatsuki (Venus Climate Orbiter)", "あかつき", Platform.PROBE, "2010-05-20",
        "2025-09-18", ("Venus",), "https://akatsuki.isas.jaxa.jp/en/",
        "Venus Climate Orbiter (PLANET-C) that observed the clouds and the super-rotation of the Venusian "
        "atmosphere from orbit from December 2015 until contact was lost in April 2024.",
        "金星の雲と大気のスーパーローテーションを2015年12月から2024年4月まで周回軌道から観測した金星探査機。",
        "vco",
    ),
    MissionSpec(
        "hinode", "Hinode", "Hinode (SOLAR-B)", "ひので", Platform.SATELLITE, "2006-09-23", None, ("Sun",),
        "https://hinode.isas.jaxa.jp/en/",
        "Solar observatory studying the magnetic field of the Sun and the heating of the corona with an optical "
        "telescope (SOT), an X-ray telescope (XRT) and an EUV imaging spectrometer (EIS).",
        "可視光磁場望遠鏡(SOT)、X線望遠鏡(XRT)、極端紫外線撮像分光装置(EIS)で太陽の磁場とコロナ加熱を調べる太陽観測衛星。",
        "hinode",
        credit="Hinode is a Japanese mission developed and launched by ISAS/JAXA, with NAOJ as domestic partner "
        "and NASA and STFC (UK) as international partners.",
    ),
    MissionSpec(
        "suzaku", "Suzaku", "Suzaku (ASTRO-EII)", "すざく", Platform.SATELLITE, "2005-07-10", "2015-09-02",
        ("X-ray sky",), f"{ISAS_PAGES}/past/suzaku.html",
        "X-ray astronomy satellite covering 0.2 to 600 keV with the X-ray Imaging Spectrometer (XIS) and the "
        "Hard X-ray Detector (HXD).",
        "X線CCDカメラ(XIS)と硬X線検出器(HXD)で0.2〜600 keVを観測したX線天文衛星。",
        "suzaku",
        credit="Suzaku is a collaborative mission between the space agencies of Japan (JAXA) and the USA (NASA).",
    ),
    MissionSpec(
        "hitomi", "Hitomi", "Hitomi (ASTRO-H)", "ひとみ", Platform.SATELLITE, "2016-02-17", "2016-04-28",
        ("X-ray sky",), f"{ISAS_PAGES}/past/hitomi.html",
        "X-ray astronomy satellite lost after an attitude-control anomaly on 26 March 2016; in its first month "
        "its Soft X-ray Spectrometer resolved the motions of the hot gas in the Perseus cluster.",
        "2016年3月26日の姿勢制御の異常により失われたX線天文衛星。最初の1か月で軟X線分光検出器がペルセウス座銀河団の高温ガスの運動を捉えた。",
        "hitomi",
    ),
    MissionSpec(
        "xrism", "XRISM", "XRISM (X-Ray Imaging and Spectroscopy Mission)", "クリズム", Platform.SATELLITE,
        "2023-09-07", None, ("X-ray sky",), "https://xrism.isas.jaxa.jp/en/",
        "X-ray imaging and spectroscopy mission with the Resolve microcalorimeter spectrometer and the Xtend "
        "wide-field X-ray imager, developed with NASA and ESA.",
        "X線マイクロカロリメータ分光装置Resolveと広視野X線撮像装置Xtendを搭載し、NASA・ESAと協力して開発したX線分光撮像衛星。",
        "xrism",
        credit="XRISM is a JAXA/NASA collaborative mission, with ESA participation.",
    ),
    MissionSpec(
        "arase", "Arase", "Arase (ERG)", "あらせ", Platform.SATELLITE, "2016-12-20", None,
        ("Earth magnetosphere", "Inner magnetosphere", "Van Allen radiation belts"),
        "https://ergsc.isee.nagoya-u.ac.jp/index.shtml.en",
        "Exploration of energization and Radiation in Geospace (ERG): how relativistic electrons of the Van Allen "
        "belts are accelerated and lost during space storms.",
        "宇宙嵐の際にヴァン・アレン帯の高エネルギー電子がどのように加速され消失するかを調べるジオスペース探査衛星。",
        "erg",
        credit="Science data of the ERG (Arase) satellite were obtained from the ERG Science Center operated by "
        "ISAS/JAXA and ISEE/Nagoya University.",
    ),
    MissionSpec(
        "kaguya", "Kaguya", "Kaguya (SELENE)", "かぐや", Platform.PROBE, "2007-09-14", "2009-06-11", ("Moon",),
        f"{ISAS_PAGES}/past/kaguya.html",
        "SELenological and ENgineering Explorer: lunar orbiter that mapped the surface, topography, gravity and "
        "magnetic field of the Moon.",
        "月の表面、地形、重力場、磁場を全球にわたり観測した月周回衛星。",
        "sln",
        credit="JAXA/SELENE",
    ),
    MissionSpec(
        "akari", "AKARI", "AKARI (ASTRO-F)", "あかり", Platform.SATELLITE, "2006-02-22", "2011-11-24",
        ("Infrared sky",), f"{ISAS_PAGES}/past/akari.html",
        "Infrared astronomy satellite that surveyed the whole sky from 9 to 160 µm and made pointed observations "
        "with its Infrared Camera (IRC) and Far-Infrared Surveyor (FIS).",
        "赤外線カメラ(IRC)と遠赤外線サーベイヤ(FIS)で波長9〜160 µmの全天サーベイと指向観測を行った赤外線天文衛星。",
        "akari",
        credit="AKARI is a JAXA project with the participation of ESA.",
    ),
    MissionSpec(
        "yohkoh", "Yohkoh", "Yohkoh (SOLAR-A)", "ようこう", Platform.SATELLITE, "1991-08-30", "2001-12-14",
        ("Sun",), f"{ISAS_PAGES}/past/yohkoh.html",
        "Solar X-ray observatory that imaged the corona and flares for a decade with soft and hard X-ray "
        "telescopes and spectrometers.",
        "軟X線・硬X線望遠鏡と分光器で太陽コロナとフレアを10年にわたり観測した太陽観測衛星。",
        "yohkoh",
    ),
    MissionSpec(
        "geotail", "Geotail", "Geotail", "ジオテイル", Platform.SATELLITE, "1992-07-24", "2022-11-28",
        ("Earth magnetosphere", "Magnetotail", "Solar wind"), f"{ISAS_PAGES}/past/geotail.html",
        "Joint ISAS–NASA satellite that studied the structure and dynamics of Earth's magnetotail for 30 years.",
        "地球磁気圏尾部の構造とダイナミクスを30年にわたり観測した日米共同の磁気圏尾部観測衛星。",
        "geotail",
    ),
    MissionSpec(
        "bepicolombo-mio", "Mio", "BepiColombo Mio (Mercury Magnetospheric Orbiter)", "みお", Platform.PROBE,
        "2018-10-20", None, ("Mercury",), None,
        "JAXA's Mercury Magnetospheric Orbiter of the joint ESA–JAXA BepiColombo mission, cruising to Mercury "
        "stacked with ESA's Mercury Planetary Orbiter.",
        "ESAとJAXAの国際水星探査計画ベピコロンボでJAXAが担当する水星磁気圏探査機。ESAの水星表面探査機と結合して水星へ航行中。",
        "mmo",
    ),
    MissionSpec(
        "slim", "SLIM", "SLIM (Smart Lander for Investigating Moon)", "小型月着陸実証機 SLIM", Platform.PROBE,
        "2023-09-07", "2024-08-23", ("Moon",), f"{ISAS_PAGES}/current/slim.html",
        "Lander that demonstrated a pinpoint landing near Shioli crater on 19 January 2024 (UTC) and observed the "
        "surrounding rocks with its Multi-Band Camera.",
        "2024年1月20日(日本時間)に神酒の海近くのSHIOLIクレーター付近へピンポイント着陸を実証し、マルチバンド分光カメラで周囲の岩石を観測した月着陸機。",
        "slim",
    ),
    MissionSpec(
        "hisaki", "Hisaki", "Hisaki (SPRINT-A)", "ひさき", Platform.SATELLITE, "2013-09-14", "2023-12-08",
        ("Jupiter", "Io plasma torus", "Venus", "Mars"), f"{ISAS_PAGES}/past/hisaki.html",
        "Earth-orbiting extreme-ultraviolet telescope dedicated to the planets: the exospheres of Venus and Mars, "
        "the aurora of Jupiter and the Io plasma torus.",
        "金星・火星の外圏大気、木星オーロラ、イオプラズマトーラスを極端紫外線で観測した惑星分光観測衛星。",
        "hisaki",
    ),
    MissionSpec(
        "isas-balloon", "ISAS balloon", "ISAS scientific balloon experiments", "ISAS 大気球実験", Platform.BALLOON,
        None, None, ("Earth atmosphere", "Cosmic rays"), None,
        "Scientific balloon flights from the Taiki Aerospace Research Field, Hokkaido.",
        "北海道大樹町の大樹航空宇宙実験場から放球する科学観測用大気球実験。",
        "balloon",
    ),
    MissionSpec(
        "isas-sounding-rocket", "ISAS sounding rocket", "ISAS sounding rocket experiments (S-310, S-520, SS-520)",
        "ISAS 観測ロケット実験", Platform.SOUNDING_ROCKET, None, None, ("Ionosphere", "Thermosphere"), None,
        "Sounding rocket flights from the Uchinoura Space Center, Kagoshima, for ionospheric and space-plasma "
        "research and engineering tests.",
        "内之浦宇宙空間観測所から打ち上げる観測ロケットによる電離圏・宇宙プラズマ観測と工学実験。",
        "rocket",
    ),
    MissionSpec(
        "isas-escuc", "ESCuC", "Extraterrestrial Sample Curation Center", "地球外試料キュレーションセンター",
        Platform.LABORATORY, None, None, ("25143 Itokawa", "162173 Ryugu"), None,
        "JAXA facility in Sagamihara that receives, describes, preserves and distributes the samples returned by "
        "Hayabusa and Hayabusa2.",
        "はやぶさ・はやぶさ2が持ち帰った試料を受け入れ、記載し、保管し、配布するJAXA相模原の施設。",
        "escuc",
    ),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Party:
    """A creator or contributor. `orcid` holds the first 15 digits; the check digit is computed."""

    name: str
    name_ja: str | None = None
    affiliation: str | None = None
    ror: str | None = None
    orcid: str | None = None
    person: bool = True


SUGITA = Party("Sugita, Seiji", "杉田 精司", UTOKYO, UTOKYO_ROR)
KITAZATO = Party("Kitazato, Kohei", "北里 宏平", "The University of Aizu")
OKADA = Party("Okada, Tatsuaki", "岡田 達明", ISAS, ISAS_ROR)
NAMIKI = Party("Namiki, Noriyuki", "並木 則行", "National Astronomical Observatory of Japan")
TACHIBANA = Party("Tachibana, Shogo", "橘 省吾", UTOKYO, UTOKYO_ROR)
YURIMOTO = Party("Yurimoto, Hisayoshi", "圦本 尚義", "Hokkaido University")
NAKAMURA_T = Party("Nakamura, Tomoki", "中村 智樹", "Tohoku University")
NAKAMURA_M = Party("Nakamura, Masato", "中村 正人", ISAS, ISAS_ROR)
MIYOSHI = Party("Miyoshi, Yoshizumi", "三好 由純", "Nagoya University")
HARUYAMA = Party("Haruyama, Junichi", "春山 純一", ISAS, ISAS_ROR)
SAITO = Party("Saito, Yoshifumi", "斎藤 義文", ISAS, ISAS_ROR)
MURAKAMI_G = Party("Murakami, Go", "村上 豪", ISAS, ISAS_ROR)
YOSHIKAWA = Party("Yoshikawa, Ichiro", "吉川 一朗", UTOKYO, UTOKYO_ROR)
MUKAI = Party("Mukai, Toshifumi", "向井 利典", ISAS, ISAS_ROR)
TANAKA = Party("Tanaka, Misaki", "田中 美咲", ISAS, ISAS_ROR, orcid="0000-0002-7415-308")
KOBAYASHI = Party("Kobayashi, Ren", "小林 蓮", ISAS, ISAS_ROR, orcid="0000-0003-1862-954")
HOSHINO = Party("Hoshino, Aoi", "星野 葵", JAXA, JAXA_ROR, orcid="0000-0002-5530-417")
LAURENT = Party("Laurent, Claire", None, "IRAP, Toulouse", orcid="0000-0001-9204-663")
DARTS = Party("DARTS, ISAS/JAXA", "宇宙科学研究所 科学データアーカイブ DARTS", ror=ISAS_ROR, person=False)
USUDA = Party("Usuda Deep Space Center, JAXA", "臼田宇宙空間観測所", ror=JAXA_ROR, person=False)
ESCUC = Party(
    "Extraterrestrial Sample Curation Center, JAXA", "地球外試料キュレーションセンター", ror=JAXA_ROR, person=False
)
ISAS_ORG = Party("ISAS/JAXA", "宇宙航空研究開発機構 宇宙科学研究所", ror=ISAS_ROR, person=False)

Contributors = tuple[tuple[Party, str], ...]
CURATED: Contributors = ((DARTS, "DataCurator"),)
DEEP_SPACE: Contributors = ((USUDA, "DataCollector"), (DARTS, "DataCurator"))
CURATED_BY_TANAKA: Contributors = ((TANAKA, "DataCurator"), (DARTS, "DataCurator"))


@dataclass(frozen=True, slots=True)
class Public:
    """Public access, possibly with a caveat (note 1) or a rolling proprietary period for granules."""

    caveat: str | None = None
    proprietary_months: int | None = None


@dataclass(frozen=True, slots=True)
class Restricted:
    """Restricted access; the deadline is `until_days` after `today`. `{until}` in the schedule is the deadline."""

    reason: RestrictionReason
    scope: str
    until_days: int
    after: AfterDeadline = AfterDeadline.REVIEW
    disclose: bool = True
    release_schedule: str | None = None


Access = Public | Restricted
PUBLIC = Public()


@dataclass(frozen=True, slots=True)
class Discard:
    days_ago: int
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Serial:
    """Granule ids from a serial number: `prefix`, the number zero-padded to `width`, `suffix`."""

    prefix: str
    first: int
    width: int
    suffix: str = ""


@dataclass(frozen=True, slots=True)
class Orbit:
    epoch: datetime
    hours: float

    def number(self, moment: datetime) -> int:
        return max(1, int((moment - self.epoch).total_seconds() // (self.hours * 3600)) + 1)


Pointing = tuple[str, float, float]
Choices = tuple[tuple[str, tuple[str | int | float, ...]], ...]


@dataclass(frozen=True, slots=True)
class GranuleKind:
    """How a dataset's granules look: ids, duration (0: an instant), file and instrument properties.

    Ids without `serial` are the dataset id and the start time, which stay unique because granule times
    are strictly increasing to the second.
    """

    seconds: int = 0
    serial: Serial | None = None
    file: str = "{id}.fits"
    media_type: str = "application/fits"
    filters: tuple[str, ...] = ()
    exposure: tuple[float, float] | None = None
    pointings: tuple[Pointing, ...] = ()
    choices: Choices = ()
    fixed: tuple[tuple[str, str | int], ...] = ()
    orbit: Orbit | None = None
    downlink_hours: int = 0


# fmt: off
XRAY_SKY: tuple[Pointing, ...] = (
    ("Perseus cluster", 49.951, 41.512), ("Cygnus X-1", 299.590, 35.202), ("Crab Nebula", 83.633, 22.015),
    ("Cassiopeia A", 350.850, 58.815), ("Sgr A*", 266.417, -29.008), ("Tycho's SNR", 6.340, 64.140),
    ("M87", 187.706, 12.391), ("Centaurus cluster", 192.205, -41.311), ("Vela X-1", 135.529, -40.555),
    ("MCG-6-30-15", 203.974, -34.296), ("NGC 4151", 182.636, 39.406), ("N132D", 81.260, -69.644),
    ("Coma cluster", 194.953, 27.981), ("SN 1006", 225.592, -41.947), ("Hercules X-1", 254.457, 35.342),
    ("Eta Carinae", 161.265, -59.685), ("GX 339-4", 255.706, -48.790), ("Abell 2029", 227.734, 5.745),
)
INFRARED_SKY: tuple[Pointing, ...] = (
    ("M82", 148.968, 69.680), ("Orion Nebula", 83.822, -5.391), ("rho Ophiuchi cloud", 246.800, -24.500),
    ("Large Magellanic Cloud", 80.894, -69.756), ("Arp 220", 233.738, 23.503), ("NGC 253", 11.888, -25.288),
    ("M31", 10.685, 41.269), ("IC 1396", 324.700, 57.500), ("NGC 6240", 253.245, 2.401),
    ("North Ecliptic Pole deep field", 268.750, 66.620), ("Taurus molecular cloud", 68.000, 26.000),
)
SOLAR_TARGETS = ("active region", "quiet Sun", "north polar region", "south polar region", "coronal hole", "flare")
MAGNETOTAIL_REGIONS = ("magnetotail lobe", "plasma sheet", "magnetosheath", "solar wind")
MIO_PHASES = ("cruise", "Earth flyby", "Venus flyby", "Mercury flyby")
HISAKI_TARGETS = ("Jupiter", "Io plasma torus", "Venus", "Mars", "Mercury", "Saturn")


def _epoch(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)


AMICA = GranuleKind(filters=("ul", "b", "v", "w", "x", "p", "zs"), exposure=(0.01, 1.0))
HAYABUSA_NIRS = GranuleKind(seconds=20, file="{id}.fit", exposure=(0.2, 2.0), choices=(("mode", ("scan", "stare")),))
HAYABUSA_XRS = GranuleKind(seconds=7200, exposure=(600, 7200))
ION_ENGINE = GranuleKind(
    seconds=86400, file="{id}.csv", media_type="text/csv",
    choices=(("thrusters", ("A", "B", "D", "A+D", "B+D")),),
)
ITOKAWA_PARTICLE = GranuleKind(
    serial=Serial("RA-QD02-", 1, 4), file="{id}.csv", media_type="text/csv",
    choices=(("method", ("SR-XRD", "SIMS", "FE-SEM/EDS", "TEM")),),
)
ONC = GranuleKind(
    file="{id}.fit", filters=("ul", "b", "v", "Na", "w", "x", "p", "wide"), exposure=(0.0056, 0.7),
    choices=(("altitude_km", (20.0, 5.0, 1.0, 0.5)),),
)
ONC_RAW = GranuleKind(file="{id}.dat", media_type="application/octet-stream", choices=(("camera", ("T", "W1", "W2")),))
NIRS3 = GranuleKind(file="{id}.fit", exposure=(0.1, 2.0), choices=(("altitude_km", (20.0, 5.0, 1.0)),))
TIR = GranuleKind(file="{id}.fit", exposure=(0.03, 0.5), choices=(("altitude_km", (20.0, 5.0, 1.0)),))
LIDAR = GranuleKind(seconds=3600, file="{id}.csv", media_type="text/csv", choices=(("mode", ("far", "near")),))
RYUGU_PARTICLE = GranuleKind(
    serial=Serial("C", 1, 4), file="{id}.csv", media_type="text/csv",
    choices=(("chamber", ("A", "C")), ("method", ("X-ray CT", "SIMS", "STXM", "FTIR", "noble gases"))),
)
VENUS_ORBIT = Orbit(_epoch("2015-12-07"), 252.0)
VCO_RAW = GranuleKind(seconds=28800, file="{id}.dat", media_type="application/octet-stream", orbit=VENUS_ORBIT)
IR1 = GranuleKind(file="{id}.fit", filters=("0.90 µm", "0.97 µm", "1.01 µm"), exposure=(0.1, 30.0), orbit=VENUS_ORBIT)
UVI = GranuleKind(file="{id}.fit", filters=("283 nm", "365 nm"), exposure=(0.1, 2.0), orbit=VENUS_ORBIT)
LIR = GranuleKind(file="{id}.fit", filters=("8-12 µm",), exposure=(0.067, 0.067), orbit=VENUS_ORBIT)
VENUS_MAP = GranuleKind(file="{id}.nc", media_type="application/x-netcdf", orbit=VENUS_ORBIT)
RADIO_OCCULTATION = GranuleKind(seconds=1800, file="{id}.csv", media_type="text/csv", orbit=VENUS_ORBIT)
HINODE_ORBIT = Orbit(_epoch("2006-09-23"), 1.63)
HINODE_L0 = GranuleKind(seconds=5400, file="{id}.tlm", media_type="application/octet-stream", orbit=HINODE_ORBIT)
SOT_SP = GranuleKind(
    seconds=3600, exposure=(4.8, 4.8),
    choices=(("obs_mode", ("normal map", "fast map", "sit-and-stare")), ("target", SOLAR_TARGETS)),
)
SOT_FG = GranuleKind(
    filters=("CN 388.3 nm", "Ca II H 396.8 nm", "G band 430.5 nm", "blue continuum 450.4 nm",
             "Fe I 525.0 nm", "Na I D 589.6 nm", "Fe I 630.2 nm", "H I 656.3 nm"),
    exposure=(0.03, 0.8), choices=(("target", SOLAR_TARGETS),),
)
XRT = GranuleKind(
    filters=("Al_mesh", "Al_poly", "C_poly", "Ti_poly", "Be_thin", "Be_med", "Al_med", "Al_thick", "Be_thick"),
    exposure=(0.004, 16.0), choices=(("target", SOLAR_TARGETS),),
)
EIS = GranuleKind(
    seconds=3600, exposure=(10.0, 60.0),
    choices=(("slit", ('1"', '2"', '40"', '266"')), ("line", ("Fe XII 195.12", "Fe XV 284.16", "He II 256.32"))),
)
SUZAKU_FFF = GranuleKind(
    seconds=80000, serial=Serial("", 100001, 6, "010"), file="ae{id}.tar", media_type="application/x-tar",
)
XIS = GranuleKind(
    seconds=80000, serial=Serial("", 100001, 6, "010"), file="{id}/xis/event_cl/ae{id}xi0_0_3x3n066a_cl.evt",
    pointings=XRAY_SKY, exposure=(10000, 200000),
)
HXD = GranuleKind(
    seconds=80000, serial=Serial("", 100001, 6, "010"), file="{id}/hxd/event_cl/ae{id}hxd_0_pinno_cl.evt",
    pointings=XRAY_SKY, exposure=(10000, 200000),
)
HITOMI = GranuleKind(
    seconds=60000, serial=Serial("100", 40, 3, "010"), file="{id}/event_cl/ah{id}_cl.evt",
    pointings=XRAY_SKY, exposure=(5000, 300000),
)
HITOMI_AOCS = GranuleKind(
    seconds=600, file="{id}.csv", media_type="text/csv", choices=(("mode", ("IRU", "STT", "safe hold")),),
)
XRISM_L0 = GranuleKind(seconds=5760, file="{id}.tlm", media_type="application/octet-stream", downlink_hours=3)
RESOLVE = GranuleKind(
    seconds=86400, serial=Serial("000", 101, 3, "000"), file="{id}/resolve/event_cl/xa{id}rsl_p0px1000_cl.evt",
    pointings=XRAY_SKY, exposure=(20000, 300000), fixed=(("gate_valve", "closed"),), downlink_hours=6,
)
XTEND = GranuleKind(
    seconds=86400, serial=Serial("000", 101, 3, "000"), file="{id}/xtend/event_cl/xa{id}xtd_p031300010_cl.evt",
    pointings=XRAY_SKY, exposure=(20000, 300000), downlink_hours=6,
)
ERG_ORBIT = Orbit(_epoch("2016-12-20"), 9.4)
ERG_CDF = GranuleKind(
    seconds=86400, file="{id}_v03.04.cdf", media_type="application/x-cdf", orbit=ERG_ORBIT, downlink_hours=3,
    fixed=(("version", "v03.04"),),
)
ERG_WAVES = GranuleKind(
    seconds=86400, file="{id}_v01.02.cdf", media_type="application/x-cdf", orbit=ERG_ORBIT, downlink_hours=3,
    choices=(("mode", ("survey", "burst")),),
)
SELENE_ORBIT = Orbit(_epoch("2007-10-19"), 1.96)
SELENE_IMAGE = GranuleKind(
    file="{id}.img", media_type="application/x-pds3", orbit=SELENE_ORBIT,
    choices=(("solar_incidence_deg", (15, 30, 45, 60, 75)),),
)
MI = GranuleKind(
    file="{id}.img", media_type="application/x-pds3", orbit=SELENE_ORBIT,
    filters=("415 nm", "750 nm", "900 nm", "950 nm", "1001 nm", "1000 nm", "1050 nm", "1250 nm", "1550 nm"),
)
SELENE_TRACK = GranuleKind(seconds=7056, file="{id}.tab", media_type="text/plain", orbit=SELENE_ORBIT)
AKARI_IRC = GranuleKind(
    seconds=600, serial=Serial("14", 101, 5, ".1"), file="{id}/irc/{id}.fits.gz", media_type="application/fits",
    pointings=INFRARED_SKY, choices=(("aot", ("IRC00", "IRC02", "IRC03", "IRC04", "IRC05", "IRC11")),),
)
SXT = GranuleKind(
    filters=("Al.1", "AlMg", "Mg3", "Al12", "Be119"), exposure=(0.002, 2.7),
    choices=(("resolution", ("full", "half", "quarter")), ("target", ("full Sun", "active region", "flare"))),
)
HXT = GranuleKind(seconds=1800, choices=(("band", ("L 14-23 keV", "M1 23-33 keV", "M2 33-53 keV", "H 53-93 keV")),))
YOHKOH_SPECTRA = GranuleKind(seconds=3600)
GEOTAIL_CDF = GranuleKind(
    seconds=86400, file="{id}_v01.cdf", media_type="application/x-cdf", choices=(("region", MAGNETOTAIL_REGIONS),)
)
MIO_CDF = GranuleKind(
    seconds=86400, file="{id}.cdf", media_type="application/x-cdf", downlink_hours=72, choices=(("phase", MIO_PHASES),)
)
SLIM_NAV = GranuleKind(
    seconds=60, file="{id}.csv", media_type="text/csv", choices=(("phase", ("powered descent", "hovering")),)
)
MBC = GranuleKind(
    file="{id}.fits", exposure=(0.01, 2.0),
    choices=(("rock", ("Akita", "Toy poodle", "St. Bernard", "Shiba-inu", "Bulldog", "Boxer", "Yorkshire terrier")),
             ("bands", (1, 10))),
)
LEV2 = GranuleKind(file="{id}.jpg", media_type="image/jpeg", choices=(("camera", ("front", "rear")),))
HISAKI_RAW = GranuleKind(seconds=86400, file="{id}.fits", choices=(("target", HISAKI_TARGETS),))
EXCEED = GranuleKind(seconds=86400, exposure=(600, 80000), choices=(("target", HISAKI_TARGETS),))
BALLOON_SAMPLE = GranuleKind(file="{id}.csv", media_type="text/csv", choices=(("altitude_km", (15, 20, 25, 30)),))
BALLOON_HK = GranuleKind(
    seconds=10800, file="{id}.csv", media_type="text/csv",
    choices=(("phase", ("ascent", "level flight", "descent")),),
)
ROCKET_TLM = GranuleKind(
    seconds=10, file="{id}.dat", media_type="application/octet-stream",
    choices=(("phase", ("ascent", "apogee", "descent")), ("instrument", ("NEI", "FLP", "MWI"))),
)
RANGE_RADAR = GranuleKind(seconds=600, file="{id}.csv", media_type="text/csv")
LIGHT_GAS_GUN = GranuleKind(
    serial=Serial("lgg-", 1, 4), file="{id}.csv", media_type="text/csv",
    choices=(("projectile", ("nylon 1 mm", "aluminium 2 mm", "basalt 3 mm")),
             ("target", ("basalt", "sintered glass beads", "gypsum", "regolith simulant"))),
)

# fmt: on

TAIKI_BBOX = (142.8, 41.9, 145.0, 43.0)
UCHINOURA_BBOX = (131.0, 29.8, 133.6, 31.4)


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    """One dataset of the demo: `period` is (first day, last day or None while ongoing), `doi` the DOI's number.

    Derived unless stated: the creating team (mission, first instrument), targets (the mission's), the DARTS
    path (`mission/id`), `issued` (after the coverage, or at a release deadline) and the licence.
    """

    id: str
    mission: str | None
    category: Category
    title_en: str
    title_ja: str | None = None
    note: str | None = None
    note_ja: str | None = None
    instruments: tuple[str, ...] = ()
    targets: tuple[str, ...] | None = None
    keywords: tuple[str, ...] = ()
    level: str | None = None
    period: tuple[str, str | None] | None = None
    formats: tuple[str, ...] = ("FITS",)
    team: str | None = None
    persons: tuple[Party, ...] = ()
    contributors: Contributors = ()
    access: Access = PUBLIC
    doi: int | None = None
    version: str = "1.0"
    issued: str | None = None
    related: tuple[tuple[str, str], ...] = ()
    license: str | None = None
    credit: tuple[str, ...] = ()
    restrictions: str | None = None
    reproducible: Reproducible | None = None
    discard: Discard | None = None
    bbox: tuple[float, float, float, float] | None = None
    path: str | None = None
    granules: GranuleKind | None = None
    weight: int = 0
    granule_access: Access | None = None


PRIVACY = RestrictionReason.PRIVACY_OR_SAFETY
INCOMPLETE = RestrictionReason.INCOMPLETE_PROCESSING
PROPRIETARY = RestrictionReason.PROPRIETARY_PERIOD
RIGHTS = RestrictionReason.RIGHTS_GRANTED
RELEASE, REVIEW, DISCARD = AfterDeadline.RELEASE, AfterDeadline.REVIEW, AfterDeadline.DISCARD
ONC_CREDIT = (
    "Hayabusa2 ONC team (JAXA, Univ. of Tokyo, Kochi Univ., Rikkyo Univ., Nagoya Univ., Chiba Inst. of Tech., "
    "Meiji Univ., Univ. of Aizu, AIST)",
)

# fmt: off
DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "hayabusa-amica-l1", "hayabusa", Category.OBSERVATION, "Hayabusa AMICA calibrated images of Itokawa",
        "はやぶさ AMICA イトカワ較正画像",
        note="Images of Itokawa from the Asteroid Multi-band Imaging Camera in seven ECAS-like filters.",
        instruments=("AMICA",), keywords=("asteroid", "imaging", "multiband"), level="L1",
        period=("2005-09-01", "2005-11-30"), formats=("FITS", "PDS3"), contributors=DEEP_SPACE, doi=100,
        version="2.0", granules=AMICA, weight=6,
    ),
    DatasetSpec(
        "hayabusa-nirs-l1", "hayabusa", Category.OBSERVATION, "Hayabusa NIRS near-infrared spectra of Itokawa",
        "はやぶさ NIRS イトカワ近赤外線スペクトル", instruments=("NIRS",), keywords=("asteroid", "spectroscopy"),
        level="L1", period=("2005-09-01", "2005-11-30"), doi=200, granules=HAYABUSA_NIRS, weight=4,
    ),
    DatasetSpec(
        "hayabusa-xrs-l1", "hayabusa", Category.OBSERVATION, "Hayabusa XRS X-ray fluorescence spectra of Itokawa",
        "はやぶさ XRS イトカワ蛍光X線スペクトル", instruments=("XRS",), keywords=("asteroid", "X-ray fluorescence"),
        level="L1", period=("2005-09-01", "2005-11-30"), doi=300, granules=HAYABUSA_XRS, weight=2,
        access=Public(
            caveat="Published to show instrument performance: the in-flight energy calibration of the XRS CCDs is "
            "incomplete and elemental ratios derived from these spectra are not guaranteed."
        ),
    ),
    DatasetSpec(
        "hayabusa-ion-engine-hk", "hayabusa", Category.ENGINEERING, "Hayabusa ion engine (µ10) operation telemetry",
        "はやぶさ イオンエンジン(µ10)運用テレメトリ", instruments=("µ10 ion engine",),
        keywords=("electric propulsion", "housekeeping"), level="L1", period=("2003-05-09", "2010-06-13"),
        formats=("CSV",), team="Hayabusa ion engine team", granules=ION_ENGINE, weight=3,
        access=Restricted(RIGHTS, "NEC Corporation (ion engine manufacturer) and the Hayabusa ion engine team", -200),
    ),
    DatasetSpec(
        "itokawa-particle-analysis", "hayabusa", Category.ANALYSIS,
        "Itokawa particles: initial analysis of mineralogy and oxygen isotopes",
        "イトカワ粒子 初期分析データ(鉱物組成・酸素同位体)",
        note="Results of the initial analysis of particles returned by Hayabusa from the surface of Itokawa.",
        note_ja="はやぶさがイトカワ表面から持ち帰った粒子の初期分析結果。",
        keywords=("returned sample", "mineralogy", "oxygen isotopes"), level="derived",
        period=("2011-01-24", "2011-06-30"), formats=("CSV",), team="Hayabusa sample initial analysis team",
        persons=(NAKAMURA_T, YURIMOTO), contributors=((ESCUC, "DataCollector"),), doi=400,
        granules=ITOKAWA_PARTICLE, weight=1,
    ),
    DatasetSpec(
        "hayabusa-reentry-video", "hayabusa", Category.DOCUMENT,
        "Hayabusa capsule re-entry photographs and video (Woomera, 13 June 2010)",
        "はやぶさ カプセル再突入の写真・映像(ウーメラ、2010年6月13日)", keywords=("re-entry", "sample return capsule"),
        period=("2010-06-13", "2010-06-13"), formats=("JPEG", "MP4"), team="Hayabusa project team", doi=500,
    ),
    DatasetSpec(
        "hyb2-onc-raw", "hayabusa2", Category.SOURCE, "Hayabusa2 ONC raw telemetry frames",
        instruments=("ONC-T", "ONC-W1", "ONC-W2"), level="L0", period=("2014-12-03", "2020-12-06"),
        formats=("binary",), team="Hayabusa2 ONC team", granules=ONC_RAW, weight=8,
        related=(("IsSourceOf", "hyb2-onc-l2b"),),
        access=Restricted(
            INCOMPLETE, "Hayabusa2 ONC team", 130,
            release_schedule="Reprocessed L0 frames are scheduled for release with bundle version 4 by {until}.",
        ),
    ),
    DatasetSpec(
        "hyb2-onc-l2b", "hayabusa2", Category.OBSERVATION, "Hayabusa2 ONC-T calibrated images of Ryugu",
        "はやぶさ2 ONC-T リュウグウ較正画像",
        note="Radiometrically calibrated images from the telescopic Optical Navigation Camera.",
        note_ja="望遠光学航法カメラ(ONC-T)の放射輝度較正済み画像。", instruments=("ONC-T",),
        keywords=("asteroid", "imaging"), level="L2b", period=("2018-06-10", "2019-11-12"), formats=("FITS", "PDS4"),
        team="Hayabusa2 ONC team", persons=(SUGITA,), contributors=DEEP_SPACE, doi=200, version="3.0",
        related=(("IsDerivedFrom", "hyb2-onc-raw"), ("IsCompiledBy", "hyb2-onc-pipeline")), credit=ONC_CREDIT,
        path="hayabusa2/onc_bundle", granules=ONC, weight=20,
    ),
    DatasetSpec(
        "hyb2-nirs3-l2", "hayabusa2", Category.OBSERVATION, "Hayabusa2 NIRS3 calibrated spectra of Ryugu",
        "はやぶさ2 NIRS3 リュウグウ較正スペクトル", instruments=("NIRS3",),
        keywords=("asteroid", "spectroscopy", "hydration"),
        level="L2", period=("2018-06-20", "2019-11-12"), formats=("FITS", "PDS4"), persons=(KITAZATO,),
        contributors=DEEP_SPACE, doi=300, granules=NIRS3, weight=10,
    ),
    DatasetSpec(
        "hyb2-tir-l2", "hayabusa2", Category.OBSERVATION, "Hayabusa2 TIR thermal images of Ryugu",
        "はやぶさ2 TIR リュウグウ熱赤外画像", instruments=("TIR",), keywords=("asteroid", "thermal infrared"),
        level="L2", period=("2018-06-20", "2019-11-12"), formats=("FITS", "PDS4"), persons=(OKADA,), doi=400,
        granules=TIR, weight=8,
    ),
    DatasetSpec(
        "hyb2-lidar-l2", "hayabusa2", Category.OBSERVATION, "Hayabusa2 LIDAR range measurements",
        "はやぶさ2 LIDAR 測距データ", instruments=("LIDAR",), keywords=("asteroid", "laser altimetry"),
        level="L2", period=("2018-06-20", "2019-11-12"), formats=("CSV", "PDS4"), persons=(NAMIKI,), doi=500,
        granules=LIDAR, weight=4,
    ),
    DatasetSpec(
        "hyb2-capsule-recovery", "hayabusa2", Category.ENGINEERING,
        "Hayabusa2 re-entry capsule recovery operations records (Woomera)",
        "はやぶさ2 再突入カプセル回収運用記録(ウーメラ)", keywords=("sample return capsule", "recovery"),
        period=("2020-12-05", "2020-12-08"), formats=("CSV", "JPEG"), team="Hayabusa2 capsule recovery team",
        access=Restricted(
            PRIVACY, "Hayabusa2 recovery team and the Woomera Range Complex", 1500, disclose=False
        ),
    ),
    DatasetSpec(
        "ryugu-sample-initial", "hayabusa2", Category.ANALYSIS, "Ryugu returned-sample initial analysis data",
        "リュウグウ帰還試料 初期分析データ",
        note="Chemical, petrological and isotopic analyses of Ryugu particles by the six initial analysis teams.",
        note_ja="初期分析6チームによるリュウグウ粒子の化学・岩石学・同位体分析の結果。",
        keywords=("returned sample", "carbonaceous chondrite", "isotopes"), level="derived",
        period=("2021-06-01", "2022-05-31"), formats=("CSV",), team="Hayabusa2 initial analysis team",
        persons=(YURIMOTO, NAKAMURA_T, TACHIBANA), contributors=CURATED_BY_TANAKA, doi=600,
        access=Restricted(PROPRIETARY, "Hayabusa2 initial analysis team", -1270, RELEASE),
    ),
    DatasetSpec(
        "ryugu-sample-nasa", "hayabusa2", Category.ANALYSIS, "Ryugu particles allocated to NASA: analysis results",
        "NASAに配分されたリュウグウ粒子の分析結果", keywords=("returned sample", "sample exchange"), level="derived",
        period=("2022-01-01", "2024-12-31"), formats=("CSV",), team="Hayabusa2 sample allocation board",
        access=Restricted(RIGHTS, "NASA Astromaterials Acquisition and Curation Office", 365, RELEASE),
    ),
    DatasetSpec(
        "ryugu-shape-v1", "hayabusa2", Category.ANALYSIS, "Ryugu shape model SHAPE_SFM_200k v1",
        "リュウグウ形状モデル SHAPE_SFM_200k 第1版", targets=("162173 Ryugu",), keywords=("shape model",),
        level="derived", period=("2018-06-10", "2019-02-28"), formats=("OBJ", "PDS4"),
        team="Hayabusa2 shape modeling team", doi=700, version="1", reproducible=Reproducible.COSTLY,
        discard=Discard(600, "Superseded by v2; v1 withdrawn after an error in the control-point network was found."),
    ),
    DatasetSpec(
        "ryugu-shape-v2", "hayabusa2", Category.ANALYSIS, "Ryugu shape model SHAPE_SFM_200k v2",
        "リュウグウ形状モデル SHAPE_SFM_200k 第2版", targets=("162173 Ryugu",), keywords=("shape model",),
        level="derived", period=("2018-06-10", "2019-11-12"), formats=("OBJ", "PDS4"),
        team="Hayabusa2 shape modeling team", contributors=CURATED, doi=800, version="2",
        reproducible=Reproducible.COSTLY,
        related=(("IsNewVersionOf", "ryugu-shape-v1"), ("IsDerivedFrom", "hyb2-onc-l2b")),
    ),
    DatasetSpec(
        "hyb2-touchdown-sim", "hayabusa2", Category.SIMULATION, "Touchdown-1 descent dynamics simulations",
        "第1回タッチダウン降下ダイナミクスシミュレーション", keywords=("touchdown", "guidance"),
        period=("2018-10-01", "2019-02-21"), formats=("CSV",), team="Hayabusa2 touchdown operations team",
        reproducible=Reproducible.EASY, discard=Discard(420),
        access=Restricted(PROPRIETARY, "Hayabusa2 touchdown operations team", -500, DISCARD),
    ),
    DatasetSpec(
        "hyb2-sci-ground-test", "hayabusa2", Category.EXPERIMENT,
        "Small Carry-on Impactor (SCI) ground firing tests: high-speed camera records",
        "衝突装置(SCI)地上試験 高速度カメラ記録", instruments=("SCI",), keywords=("impact", "ground test"),
        period=("2013-01-15", "2014-03-31"), formats=("AVI", "CSV"), team="Hayabusa2 SCI team",
        access=Restricted(INCOMPLETE, "Hayabusa2 SCI team", -45, DISCARD),
    ),
    DatasetSpec(
        "hyb2-onc-pipeline", "hayabusa2", Category.SOFTWARE, "Hayabusa2 ONC calibration pipeline",
        "はやぶさ2 ONC 較正パイプライン",
        note="The software that turns ONC L0 frames into the calibrated L2b images, with its calibration tables.",
        instruments=("ONC-T", "ONC-W1", "ONC-W2"), keywords=("calibration", "pipeline"), formats=("Python",),
        team="Hayabusa2 ONC team", doi=900, version="3.0", issued="2020-08-01", license="BSD-3-Clause",
        related=(("Compiles", "hyb2-onc-l2b"),),
    ),
    DatasetSpec(
        "vco-raw", "akatsuki", Category.SOURCE, "Akatsuki raw telemetry of all science instruments",
        "あかつき 全観測機器の生テレメトリ", instruments=("IR1", "IR2", "UVI", "LIR", "LAC", "USO"), level="L0",
        period=("2015-12-07", "2024-04-26"), formats=("binary",), team="Akatsuki project team",
        granules=VCO_RAW, weight=4, access=Restricted(INCOMPLETE, "Akatsuki project team", 365),
    ),
    DatasetSpec(
        "vco-ir1-l2b", "akatsuki", Category.OBSERVATION, "Akatsuki IR1 calibrated images of Venus",
        "あかつき IR1 金星較正画像", instruments=("IR1",), keywords=("Venus", "clouds", "near infrared"), level="L2b",
        period=("2015-12-07", "2016-12-09"), formats=("FITS", "PDS4"), contributors=DEEP_SPACE, doi=100,
        granules=IR1, weight=4,
    ),
    DatasetSpec(
        "vco-uvi-l2b", "akatsuki", Category.OBSERVATION, "Akatsuki UVI calibrated images of Venus",
        "あかつき UVI 金星較正画像", instruments=("UVI",), keywords=("Venus", "clouds", "ultraviolet"), level="L2b",
        period=("2015-12-07", "2024-04-26"), formats=("FITS", "PDS4"), persons=(NAKAMURA_M,),
        contributors=DEEP_SPACE, doi=200, version="1.1", granules=UVI, weight=10,
    ),
    DatasetSpec(
        "vco-lir-l2b", "akatsuki", Category.OBSERVATION, "Akatsuki LIR calibrated thermal images of Venus",
        "あかつき LIR 金星較正熱赤外画像", instruments=("LIR",), keywords=("Venus", "cloud-top temperature"),
        level="L2b", period=("2015-12-07", "2024-04-26"), formats=("FITS", "PDS4"), doi=300, granules=LIR,
        weight=10,
    ),
    DatasetSpec(
        "vco-lir-l3-beta", "akatsuki", Category.OBSERVATION, "Akatsuki LIR Level 3 longitude-latitude maps (beta)",
        instruments=("LIR",), targets=("Venus",), keywords=("Venus", "cloud-top temperature"), level="L3",
        period=("2015-12-07", "2024-04-26"), formats=("NetCDF",), team="Akatsuki LIR team", granules=VENUS_MAP,
        weight=3, related=(("IsDerivedFrom", "vco-lir-l2b"),),
        access=Public(
            caveat="Beta release to show instrument performance: calibration is incomplete and accuracy is not "
            "guaranteed."
        ),
    ),
    DatasetSpec(
        "vco-uvi-l3-winds", "akatsuki", Category.OBSERVATION, "Akatsuki UVI cloud-tracked wind vectors",
        "あかつき UVI 雲追跡による風速ベクトル", instruments=("UVI",), keywords=("Venus", "super-rotation", "winds"),
        level="L3", period=("2015-12-07", "2024-04-26"), formats=("NetCDF",), team="Akatsuki UVI team", doi=400,
        granules=VENUS_MAP, weight=2, related=(("IsDerivedFrom", "vco-uvi-l2b"),),
    ),
    DatasetSpec(
        "vco-rs-occultation", "akatsuki", Category.OBSERVATION,
        "Akatsuki radio occultation temperature profiles of the Venusian atmosphere",
        "あかつき 電波掩蔽による金星大気温度プロファイル", instruments=("RS",), keywords=("Venus", "radio occultation"),
        level="L3", period=("2016-03-01", "2024-04-26"), formats=("CSV",), team="Akatsuki radio science team",
        contributors=DEEP_SPACE, doi=500, granules=RADIO_OCCULTATION, weight=1,
    ),
    DatasetSpec(
        "hinode-l0", "hinode", Category.SOURCE, "Hinode telemetry (Level 0)", "ひので テレメトリ(レベル0)",
        instruments=("SOT", "XRT", "EIS"), level="L0", period=("2006-10-25", None), formats=("binary",),
        team="Hinode science team", granules=HINODE_L0, weight=6,
    ),
    DatasetSpec(
        "hinode-sot-sp-l1", "hinode", Category.OBSERVATION, "Hinode SOT spectropolarimeter calibrated Stokes spectra",
        "ひので SOT スペクトロポラリメータ較正済みストークススペクトル", instruments=("SOT/SP",),
        keywords=("photosphere", "magnetic field", "spectropolarimetry"), level="L1", period=("2006-10-25", None),
        team="Hinode SOT team", doi=100, granules=SOT_SP, weight=10,
        related=(("IsDocumentedBy", "10.1007/s11207-007-9014-6"),),
    ),
    DatasetSpec(
        "hinode-sot-sp-l2", "hinode", Category.OBSERVATION,
        "Hinode SOT/SP vector magnetic field maps (Milne-Eddington inversion)",
        "ひので SOT/SP ベクトル磁場マップ(ミルン・エディントン逆解析)", instruments=("SOT/SP",),
        keywords=("photosphere", "magnetic field"), level="L2", period=("2006-10-25", None), team="Hinode SOT team",
        doi=200, granules=SOT_SP, weight=4, related=(("IsDerivedFrom", "hinode-sot-sp-l1"),),
    ),
    DatasetSpec(
        "hinode-sot-fg-l1", "hinode", Category.OBSERVATION, "Hinode SOT filtergram images",
        "ひので SOT フィルターグラム画像", instruments=("SOT/FG",), keywords=("photosphere", "chromosphere"),
        level="L1", period=("2006-10-25", None), team="Hinode SOT team", doi=300, granules=SOT_FG, weight=10,
    ),
    DatasetSpec(
        "hinode-xrt-l1", "hinode", Category.OBSERVATION, "Hinode XRT calibrated X-ray images of the corona",
        "ひので XRT コロナX線較正画像", instruments=("XRT",), keywords=("corona", "X-ray imaging"), level="L1",
        period=("2006-10-25", None), team="Hinode XRT team", contributors=CURATED, doi=400, granules=XRT, weight=14,
        granule_access=Restricted(
            INCOMPLETE, "Hinode XRT team", 240,
            release_schedule="The pointing of this interval is being recalibrated; release with the next "
            "reprocessing, by {until}.",
        ),
    ),
    DatasetSpec(
        "hinode-eis-l1", "hinode", Category.OBSERVATION, "Hinode EIS calibrated EUV spectra",
        "ひので EIS 較正済み極端紫外線スペクトル", instruments=("EIS",), keywords=("corona", "EUV spectroscopy"),
        level="L1", period=("2006-10-25", None), team="Hinode EIS team", doi=500, granules=EIS, weight=6,
    ),
    DatasetSpec(
        "suzaku-fff", "suzaku", Category.SOURCE, "Suzaku First Final Format (FFF) telemetry files",
        "すざく First Final Format(FFF)テレメトリファイル", instruments=("XIS", "HXD", "XRS"), level="L0",
        period=("2005-08-13", "2015-06-01"), team="Suzaku team", granules=SUZAKU_FFF, weight=5,
        related=(("IsSourceOf", "suzaku-xis-evt"), ("IsSourceOf", "suzaku-hxd-evt")),
    ),
    DatasetSpec(
        "suzaku-xis-evt", "suzaku", Category.OBSERVATION, "Suzaku XIS cleaned event files (processing version 3)",
        "すざく XIS クリーンイベントファイル(処理バージョン3)", instruments=("XIS",), keywords=("X-ray", "CCD"),
        level="L2", period=("2005-08-13", "2015-06-01"), team="Suzaku XIS team", contributors=CURATED, doi=100,
        version="3.0", granules=XIS, weight=16,
        related=(
            ("IsDerivedFrom", "suzaku-fff"), ("IsNewVersionOf", "suzaku-xis-evt-v2"),
            ("IsDocumentedBy", "10.1093/pasj/59.sp1.S1"),
        ),
    ),
    DatasetSpec(
        "suzaku-xis-evt-v2", "suzaku", Category.OBSERVATION, "Suzaku XIS cleaned event files (processing version 2)",
        "すざく XIS クリーンイベントファイル(処理バージョン2)", instruments=("XIS",), keywords=("X-ray", "CCD"),
        level="L2", period=("2005-08-13", "2015-06-01"), team="Suzaku XIS team", doi=50, version="2.0",
        discard=Discard(
            2900, "Superseded by processing version 3.0 with uniform calibration; the version 2 products were "
            "withdrawn to stop citations of the outdated gain correction."
        ),
    ),
    DatasetSpec(
        "suzaku-hxd-evt", "suzaku", Category.OBSERVATION, "Suzaku HXD PIN and GSO cleaned event files",
        "すざく HXD PIN・GSO クリーンイベントファイル", instruments=("HXD",), keywords=("hard X-ray",), level="L2",
        period=("2005-08-13", "2015-06-01"), team="Suzaku HXD team", doi=200, version="3.0", granules=HXD, weight=12,
        related=(("IsDerivedFrom", "suzaku-fff"),),
    ),
    DatasetSpec(
        "suzaku-xrs-ground-cal", "suzaku", Category.EXPERIMENT,
        "Suzaku XRS microcalorimeter ground calibration measurements", "すざく XRS マイクロカロリメータ地上較正データ",
        note="Ground calibration of the X-Ray Spectrometer, which lost its liquid helium in August 2005 before "
        "making celestial observations; the measurements cannot be repeated.",
        instruments=("XRS",), keywords=("microcalorimeter", "calibration"), period=("2003-06-01", "2005-03-31"),
        team="Suzaku XRS team", reproducible=Reproducible.NO,
    ),
    DatasetSpec(
        "hitomi-sxs-evt", "hitomi", Category.OBSERVATION, "Hitomi SXS microcalorimeter event files",
        "ひとみ SXS マイクロカロリメータイベントファイル", instruments=("SXS",), keywords=("X-ray", "microcalorimeter"),
        level="L2", period=("2016-02-24", "2016-03-26"), team="Hitomi Collaboration", doi=100, granules=HITOMI,
        weight=1,
    ),
    DatasetSpec(
        "hitomi-sxi-evt", "hitomi", Category.OBSERVATION, "Hitomi SXI event files", "ひとみ SXI イベントファイル",
        instruments=("SXI",), keywords=("X-ray", "CCD"), level="L2", period=("2016-02-24", "2016-03-26"),
        team="Hitomi Collaboration", doi=200, granules=HITOMI, weight=1,
    ),
    DatasetSpec(
        "hitomi-hxi-sgd-evt", "hitomi", Category.OBSERVATION, "Hitomi HXI and SGD event files",
        "ひとみ HXI・SGD イベントファイル", instruments=("HXI", "SGD"), keywords=("hard X-ray", "soft gamma-ray"),
        level="L2", period=("2016-03-14", "2016-03-26"), team="Hitomi Collaboration", granules=HITOMI, weight=1,
    ),
    DatasetSpec(
        "hitomi-aocs-anomaly", "hitomi", Category.ENGINEERING,
        "Hitomi attitude-control telemetry around the anomaly of 26 March 2016",
        "ひとみ 2016年3月26日の異常前後の姿勢制御テレメトリ", keywords=("attitude control", "anomaly"), level="L1",
        period=("2016-03-25", "2016-03-26"), formats=("CSV",), team="ASTRO-H project team", doi=300,
        granules=HITOMI_AOCS, weight=1,
    ),
    DatasetSpec(
        "xrism-l0", "xrism", Category.SOURCE, "XRISM telemetry (Level 0)", "XRISM テレメトリ(レベル0)",
        instruments=("Resolve", "Xtend"), level="L0", period=("2023-09-07", None), formats=("binary",),
        team="XRISM Science Team", granules=XRISM_L0, weight=3,
        access=Restricted(PROPRIETARY, "XRISM Science Team", 365),
    ),
    DatasetSpec(
        "xrism-resolve-obs", "xrism", Category.OBSERVATION, "XRISM Resolve observation event files",
        "XRISM Resolve 観測イベントファイル",
        note="Screened event files of the Resolve microcalorimeter. Each observation is proprietary to its "
        "observers for 12 months after it reaches the ground.",
        instruments=("Resolve",), keywords=("X-ray", "microcalorimeter", "high-resolution spectroscopy"), level="L2",
        period=("2024-02-01", None), team="XRISM Science Team", persons=(KOBAYASHI,), contributors=CURATED, doi=100,
        granules=RESOLVE, weight=8, access=Public(proprietary_months=12),
    ),
    DatasetSpec(
        "xrism-xtend-obs", "xrism", Category.OBSERVATION, "XRISM Xtend observation event files",
        "XRISM Xtend 観測イベントファイル", instruments=("Xtend",), keywords=("X-ray", "CCD", "wide field"),
        level="L2", period=("2024-02-01", None), team="XRISM Science Team", doi=200, granules=XTEND, weight=8,
        access=Public(proprietary_months=12),
    ),
    DatasetSpec(
        "xrism-resolve-pv", "xrism", Category.OBSERVATION, "XRISM Resolve performance-verification observations",
        "XRISM Resolve 性能検証期間の観測データ", instruments=("Resolve",), keywords=("X-ray", "microcalorimeter"),
        level="L2", period=("2023-10-01", "2024-08-31"), team="XRISM Science Team", doi=300, granules=RESOLVE,
        weight=2, access=Restricted(PROPRIETARY, "XRISM Science Team", -450, RELEASE),
    ),
    DatasetSpec(
        "xrism-resolve-ground-cal", "xrism", Category.EXPERIMENT,
        "XRISM Resolve ground calibration: line spread function and gain scale",
        "XRISM Resolve 地上較正データ(輝線応答関数・ゲイン)", instruments=("Resolve",),
        keywords=("microcalorimeter", "calibration"), period=("2021-06-01", "2022-09-30"),
        team="XRISM Resolve team", doi=400,
    ),
    DatasetSpec(
        "xrism-caldb", "xrism", Category.SOFTWARE, "XRISM calibration database (CALDB)",
        "XRISM 較正データベース(CALDB)", instruments=("Resolve", "Xtend"), keywords=("calibration",),
        formats=("FITS",), team="XRISM Science Team", version="20250315", issued="2025-03-15",
        related=(("Compiles", "xrism-resolve-obs"), ("Compiles", "xrism-xtend-obs")),
    ),
    DatasetSpec(
        "arase-mgf-l2", "arase", Category.OBSERVATION, "Arase MGF magnetic field, 8-second resolution",
        "あらせ MGF 磁場データ(8秒値)", instruments=("MGF",), keywords=("magnetic field", "geospace"), level="L2",
        period=("2017-03-24", None), formats=("CDF",), team="ERG Science Center", persons=(MIYOSHI,),
        contributors=CURATED, doi=100, granules=ERG_CDF, weight=10, access=Public(proprietary_months=12),
        related=(("IsDocumentedBy", "10.1186/s40623-018-0862-0"),),
    ),
    DatasetSpec(
        "arase-pwe-efd-l2", "arase", Category.OBSERVATION, "Arase PWE/EFD electric field", "あらせ PWE/EFD 電場データ",
        instruments=("PWE/EFD",), keywords=("electric field", "geospace"), level="L2", period=("2017-03-24", None),
        formats=("CDF",), team="ERG PWE team", doi=200, granules=ERG_WAVES, weight=6,
    ),
    DatasetSpec(
        "arase-pwe-ofa-l2", "arase", Category.OBSERVATION, "Arase PWE/OFA onboard frequency analysis spectra",
        "あらせ PWE/OFA 機上周波数解析スペクトル", instruments=("PWE/OFA",), keywords=("plasma waves", "chorus"),
        level="L2", period=("2017-03-24", None), formats=("CDF",), team="ERG PWE team", doi=300, granules=ERG_WAVES,
        weight=6, access=Public(proprietary_months=12),
    ),
    DatasetSpec(
        "arase-lepe-l2", "arase", Category.OBSERVATION, "Arase LEP-e low-energy electron fluxes",
        "あらせ LEP-e 低エネルギー電子フラックス", instruments=("LEP-e",), keywords=("electrons", "plasma"),
        level="L2", period=("2017-03-24", None), formats=("CDF",), team="ERG LEP-e team", doi=400, granules=ERG_CDF,
        weight=6, access=Public(proprietary_months=12),
    ),
    DatasetSpec(
        "arase-mepe-l2", "arase", Category.OBSERVATION, "Arase MEP-e medium-energy electron fluxes",
        "あらせ MEP-e 中間エネルギー電子フラックス", instruments=("MEP-e",), keywords=("electrons", "ring current"),
        level="L2", period=("2017-03-24", None), formats=("CDF",), team="ERG MEP-e team", doi=500, granules=ERG_CDF,
        weight=6,
        granule_access=Restricted(
            INCOMPLETE, "ERG MEP-e team", 180, RELEASE,
            release_schedule="Counts of this day are affected by a high-voltage anomaly; corrected files are "
            "scheduled for release on {until}.",
        ),
    ),
    DatasetSpec(
        "arase-hep-l2", "arase", Category.OBSERVATION, "Arase HEP high-energy electron fluxes",
        "あらせ HEP 高エネルギー電子フラックス", instruments=("HEP",), keywords=("electrons", "radiation belts"),
        level="L2", period=("2017-03-24", None), formats=("CDF",), team="ERG HEP team", doi=600, granules=ERG_CDF,
        weight=5,
    ),
    DatasetSpec(
        "arase-xep-l2", "arase", Category.OBSERVATION, "Arase XEP extremely high-energy electron fluxes",
        "あらせ XEP 超高エネルギー電子フラックス",
        note="Relativistic electrons of the outer radiation belt. The instrument team holds each day's data for "
        "18 months, longer than the 12-month guideline, while the response function is revised.",
        instruments=("XEP",), keywords=("electrons", "radiation belts", "relativistic electrons"), level="L2",
        period=("2017-03-24", None), formats=("CDF",), team="ERG XEP team", doi=700, granules=ERG_CDF, weight=5,
        access=Public(proprietary_months=18),
    ),
    DatasetSpec(
        "arase-mepi-l2", "arase", Category.OBSERVATION, "Arase MEP-i medium-energy ion fluxes",
        "あらせ MEP-i 中間エネルギーイオンフラックス", instruments=("MEP-i",), keywords=("ions", "ring current"),
        level="L2", period=("2017-03-24", None), formats=("CDF",), team="ERG MEP-i team", granules=ERG_CDF, weight=4,
    ),
    DatasetSpec(
        "arase-orb-l2", "arase", Category.ENGINEERING, "Arase definitive orbit and attitude",
        "あらせ 確定軌道・姿勢データ", keywords=("orbit", "attitude"), level="L2", period=("2016-12-20", None),
        formats=("CDF",), team="ERG Science Center", doi=800, granules=ERG_CDF, weight=4,
    ),
    DatasetSpec(
        "arase-spedas-plugin", "arase", Category.SOFTWARE, "ERG plug-in for SPEDAS", "SPEDAS 用 ERG プラグイン",
        note="Routines to load and plot Arase data in the Space Physics Environment Data Analysis Software.",
        keywords=("analysis software", "SPEDAS"), formats=("IDL", "Python"), team="ERG Science Center",
        version="2.1", issued="2019-03-29",
    ),
    DatasetSpec(
        "kaguya-tc-ortho", "kaguya", Category.OBSERVATION, "Kaguya Terrain Camera ortho-images",
        "かぐや 地形カメラ オルソ画像", instruments=("TC",), keywords=("Moon", "imaging", "topography"),
        level="L2", period=("2007-11-03", "2009-06-10"), formats=("PDS3",), persons=(HARUYAMA,),
        contributors=CURATED, doi=100, granules=SELENE_IMAGE, weight=10,
    ),
    DatasetSpec(
        "kaguya-tc-dtm", "kaguya", Category.ANALYSIS, "Kaguya Terrain Camera digital terrain model mosaics",
        "かぐや 地形カメラ 数値地形モデル", instruments=("TC",), keywords=("Moon", "topography", "shape model"),
        level="derived", period=("2007-11-03", "2009-06-10"), formats=("PDS3", "GeoTIFF"),
        team="Kaguya TC team", doi=200, version="2.0", reproducible=Reproducible.COSTLY,
        related=(("IsDerivedFrom", "kaguya-tc-ortho"),),
    ),
    DatasetSpec(
        "kaguya-mi-l2", "kaguya", Category.OBSERVATION, "Kaguya Multiband Imager reflectance images",
        "かぐや マルチバンドイメージャ 反射率画像", instruments=("MI",), keywords=("Moon", "multiband imaging"),
        level="L2", period=("2007-11-03", "2009-06-10"), formats=("PDS3",), doi=300, granules=MI, weight=8,
    ),
    DatasetSpec(
        "kaguya-sp-l2", "kaguya", Category.OBSERVATION, "Kaguya Spectral Profiler reflectance spectra",
        "かぐや スペクトルプロファイラ 反射スペクトル", instruments=("SP",), keywords=("Moon", "spectroscopy"),
        level="L2", period=("2007-11-03", "2009-06-10"), formats=("PDS3",), doi=400, granules=SELENE_TRACK, weight=5,
    ),
    DatasetSpec(
        "kaguya-lalt-l2", "kaguya", Category.OBSERVATION, "Kaguya Laser Altimeter topography profiles",
        "かぐや レーザ高度計 地形プロファイル", instruments=("LALT",), keywords=("Moon", "laser altimetry"),
        level="L2", period=("2007-12-30", "2009-06-10"), formats=("PDS3", "CSV"), doi=500, granules=SELENE_TRACK,
        weight=4,
    ),
    DatasetSpec(
        "kaguya-lrs-sounder", "kaguya", Category.OBSERVATION, "Kaguya Lunar Radar Sounder echo profiles",
        "かぐや 月レーダサウンダー エコープロファイル", instruments=("LRS",), keywords=("Moon", "radar sounding"),
        level="L2", period=("2007-11-20", "2009-06-10"), formats=("PDS3",), granules=SELENE_TRACK, weight=3,
    ),
    DatasetSpec(
        "kaguya-map-pace", "kaguya", Category.OBSERVATION, "Kaguya MAP-PACE plasma ion and electron spectra",
        "かぐや MAP-PACE プラズマイオン・電子スペクトル", instruments=("MAP-PACE",), keywords=("Moon", "plasma"),
        level="L2", period=("2007-12-01", "2009-06-10"), formats=("CDF",), persons=(SAITO,), granules=SELENE_TRACK,
        weight=3,
        access=Restricted(
            INCOMPLETE, "Kaguya MAP-PACE team", 200, RELEASE,
            release_schedule="Background subtraction of the ion sensors is being redone; public release on {until}.",
        ),
    ),
    DatasetSpec(
        "kaguya-hdtv", "kaguya", Category.DOCUMENT, "Kaguya HDTV camera video: earthrise and the lunar surface",
        "かぐや ハイビジョンカメラ映像(地球の出・月面)", instruments=("HDTV",), keywords=("Moon", "Earth", "video"),
        period=("2007-10-31", "2009-06-10"), formats=("MP4",), team="Kaguya HDTV team", credit=("JAXA/NHK",),
        restrictions="Footage © JAXA/NHK: broadcast and commercial use need permission from NHK.",
        access=Restricted(RIGHTS, "NHK (Japan Broadcasting Corporation)", 700),
    ),
    DatasetSpec(
        "akari-irc-pointed", "akari", Category.OBSERVATION, "AKARI IRC pointed observations",
        "あかり IRC 指向観測データ", instruments=("IRC",), keywords=("infrared", "imaging", "spectroscopy"),
        level="L1", period=("2006-05-08", "2011-05-24"), team="AKARI IRC team", contributors=CURATED, doi=100,
        granules=AKARI_IRC, weight=8,
    ),
    DatasetSpec(
        "akari-irc-psc", "akari", Category.OBSERVATION, "AKARI/IRC mid-infrared all-sky survey point source catalogue",
        "あかり IRC 中間赤外線全天サーベイ点源カタログ", instruments=("IRC",), keywords=("infrared", "catalogue"),
        level="L3", period=("2006-05-08", "2007-08-26"), formats=("FITS", "CSV"), team="AKARI team", doi=200,
    ),
    DatasetSpec(
        "akari-fis-bsc", "akari", Category.OBSERVATION, "AKARI/FIS all-sky survey bright source catalogue version 2",
        "あかり FIS 全天サーベイ輝点源カタログ 第2版", instruments=("FIS",), keywords=("far infrared", "catalogue"),
        level="L3", period=("2006-05-08", "2007-08-26"), formats=("FITS", "CSV"), team="AKARI team", doi=300,
        version="2.0", access=Restricted(INCOMPLETE, "AKARI FIS team", -700, RELEASE),
    ),
    DatasetSpec(
        "akari-irc-toolkit", "akari", Category.SOFTWARE, "AKARI IRC imaging data reduction toolkit",
        "あかり IRC 撮像データ解析ツールキット", instruments=("IRC",), keywords=("data reduction", "pipeline"),
        formats=("IDL",), team="AKARI IRC team", version="20150331", issued="2015-03-31",
        related=(("Compiles", "akari-irc-pointed"),),
    ),
    DatasetSpec(
        "yohkoh-sxt-l1", "yohkoh", Category.OBSERVATION, "Yohkoh SXT soft X-ray images",
        "ようこう SXT 軟X線画像", instruments=("SXT",), keywords=("corona", "soft X-ray"), level="L1",
        period=("1991-09-13", "2001-12-14"), team="Yohkoh SXT team", doi=100, granules=SXT, weight=14,
    ),
    DatasetSpec(
        "yohkoh-hxt-l1", "yohkoh", Category.OBSERVATION, "Yohkoh HXT hard X-ray flare observations",
        "ようこう HXT 硬X線フレア観測データ", instruments=("HXT",), keywords=("flares", "hard X-ray"), level="L1",
        period=("1991-09-13", "2001-12-14"), team="Yohkoh HXT team", doi=200, granules=HXT, weight=5,
    ),
    DatasetSpec(
        "yohkoh-bcs-l1", "yohkoh", Category.OBSERVATION, "Yohkoh BCS Bragg crystal spectra",
        instruments=("BCS",), keywords=("flares", "X-ray spectroscopy"), level="L1",
        period=("1991-09-13", "2001-12-14"), team="Yohkoh BCS team", granules=YOHKOH_SPECTRA, weight=2,
    ),
    DatasetSpec(
        "yohkoh-wbs-l1", "yohkoh", Category.OBSERVATION, "Yohkoh WBS wide-band spectra",
        "ようこう WBS 広帯域スペクトル", instruments=("WBS",), keywords=("flares", "gamma-ray"), level="L1",
        period=("1991-09-13", "2001-12-14"), team="Yohkoh WBS team", doi=300, granules=YOHKOH_SPECTRA, weight=2,
    ),
    DatasetSpec(
        "geotail-mgf-k0", "geotail", Category.OBSERVATION, "Geotail MGF magnetic field key parameters",
        "GEOTAIL MGF 磁場キーパラメータ", instruments=("MGF",), keywords=("magnetic field", "magnetotail"),
        level="K0", period=("1992-09-01", "2022-06-28"), formats=("CDF",), team="Geotail MGF team", doi=100,
        granules=GEOTAIL_CDF, weight=8,
    ),
    DatasetSpec(
        "geotail-lep", "geotail", Category.OBSERVATION, "Geotail LEP low-energy particle moments",
        "GEOTAIL LEP 低エネルギー粒子モーメント", instruments=("LEP",), keywords=("plasma", "magnetotail"),
        level="L2", period=("1992-09-01", "2022-06-28"), formats=("CDF",), team="Geotail LEP team",
        persons=(MUKAI,), doi=200, granules=GEOTAIL_CDF, weight=6,
    ),
    DatasetSpec(
        "geotail-cpi", "geotail", Category.OBSERVATION, "Geotail CPI comprehensive plasma instrumentation moments",
        "GEOTAIL CPI プラズマ総合計測データ", instruments=("CPI",), keywords=("plasma", "solar wind"), level="L2",
        period=("1992-09-01", "2022-06-28"), formats=("CDF",), team="Geotail CPI team", granules=GEOTAIL_CDF,
        weight=3, credit=("CPI instrument team, University of Iowa",),
        restrictions="CPI data are provided by the University of Iowa; redistribution of the raw counts needs its "
        "permission.",
    ),
    DatasetSpec(
        "geotail-pwi", "geotail", Category.OBSERVATION, "Geotail PWI plasma wave spectra",
        "GEOTAIL PWI プラズマ波動スペクトル", instruments=("PWI",), keywords=("plasma waves", "magnetotail"),
        level="L2", period=("1992-09-01", "2022-06-28"), formats=("CDF",), team="Geotail PWI team", doi=300,
        granules=GEOTAIL_CDF, weight=5,
    ),
    DatasetSpec(
        "mio-mgf-cruise", "bepicolombo-mio", Category.OBSERVATION, "Mio MGF magnetic field during cruise",
        "みお MGF 巡航中の磁場データ", instruments=("MGF",), keywords=("magnetic field", "cruise", "flyby"),
        level="L2", period=("2018-10-20", None), formats=("CDF",), team="Mio MGF team", granules=MIO_CDF, weight=4,
        access=Public(
            caveat="Cruise data taken inside the stacked spacecraft: disturbances from the other modules are not "
            "removed and accuracy is not guaranteed."
        ),
    ),
    DatasetSpec(
        "mio-mppe-cruise", "bepicolombo-mio", Category.OBSERVATION, "Mio MPPE plasma particles during cruise",
        "みお MPPE 巡航中のプラズマ粒子データ", instruments=("MPPE",), keywords=("plasma", "cruise", "flyby"),
        level="L2", period=("2018-10-20", None), formats=("CDF",), team="Mio MPPE team", persons=(SAITO,),
        contributors=((LAURENT, "ProjectMember"), (DARTS, "DataCurator")), granules=MIO_CDF, weight=3,
        access=Restricted(PROPRIETARY, "Mio MPPE team", 200, RELEASE),
    ),
    DatasetSpec(
        "mio-pwi-cruise", "bepicolombo-mio", Category.OBSERVATION, "Mio PWI plasma waves during cruise",
        "みお PWI 巡航中のプラズマ波動データ", instruments=("PWI",), keywords=("plasma waves", "cruise"), level="L2",
        period=("2018-10-20", None), formats=("CDF",), team="Mio PWI team", granules=MIO_CDF, weight=3,
        access=Restricted(
            INCOMPLETE, "Mio PWI team", 400,
            release_schedule="Antenna calibration needs Mercury-orbit data; release is planned after the first "
            "Mercury science phase, by {until}.",
        ),
    ),
    DatasetSpec(
        "mio-flyby-sim", "bepicolombo-mio", Category.SIMULATION,
        "Global hybrid simulations of Mercury's magnetosphere for the Mio flybys",
        "みおのフライバイに向けた水星磁気圏のグローバルハイブリッドシミュレーション",
        keywords=("Mercury", "magnetosphere", "hybrid simulation"), formats=("NetCDF",), team="Mio science team",
        persons=(MURAKAMI_G,), doi=100, issued="2021-09-30", reproducible=Reproducible.EASY,
        related=(("IsSupplementTo", "mio-mgf-cruise"),),
    ),
    DatasetSpec(
        "slim-landing-nav", "slim", Category.ENGINEERING, "SLIM landing navigation telemetry",
        "SLIM 着陸航法テレメトリ", note="Image-matching navigation and hazard detection during the powered descent.",
        keywords=("pinpoint landing", "navigation"), level="L1", period=("2024-01-19", "2024-01-19"),
        formats=("CSV",), team="SLIM project team", doi=100, granules=SLIM_NAV, weight=1,
    ),
    DatasetSpec(
        "slim-mbc-l1", "slim", Category.OBSERVATION, "SLIM Multi-Band Camera images (Level 1)",
        "SLIM マルチバンド分光カメラ画像(レベル1)", instruments=("MBC",), keywords=("Moon", "multiband imaging"),
        level="L1", period=("2024-01-25", "2024-04-28"), team="SLIM MBC team", granules=MBC, weight=1,
        access=Restricted(PROPRIETARY, "SLIM MBC team (Ritsumeikan University, University of Aizu, JAXA)", -545),
    ),
    DatasetSpec(
        "slim-mbc-l2", "slim", Category.OBSERVATION, "SLIM Multi-Band Camera reflectance spectra of rocks",
        "SLIM マルチバンド分光カメラによる岩石の反射スペクトル", instruments=("MBC",),
        keywords=("Moon", "olivine", "spectroscopy"), level="L2", period=("2024-01-25", "2024-04-28"),
        team="SLIM MBC team", granules=MBC, weight=1, related=(("IsDerivedFrom", "slim-mbc-l1"),),
        access=Public(
            caveat="Preliminary reflectance: photometric correction is incomplete; accuracy is not guaranteed."
        ),
    ),
    DatasetSpec(
        "slim-lev2-images", "slim", Category.OBSERVATION, "LEV-2 (SORA-Q) images of SLIM on the lunar surface",
        "LEV-2(SORA-Q)が撮影した月面のSLIM画像", instruments=("LEV-2",), keywords=("Moon", "rover", "imaging"),
        level="L1", period=("2024-01-19", "2024-01-19"), formats=("JPEG",), team="LEV-2 team", doi=200,
        credit=("JAXA/TOMY/Sony Group Corporation/Doshisha University",), granules=LEV2, weight=1,
    ),
    DatasetSpec(
        "hisaki-exceed-raw", "hisaki", Category.SOURCE, "Hisaki EXCEED raw spectral images",
        "ひさき EXCEED 生スペクトル画像", instruments=("EXCEED",), level="L0", period=("2013-11-01", "2023-11-30"),
        team="Hisaki project team", granules=HISAKI_RAW, weight=3,
    ),
    DatasetSpec(
        "hisaki-exceed-l2", "hisaki", Category.OBSERVATION, "Hisaki EXCEED calibrated EUV spectral images",
        "ひさき EXCEED 較正済み極端紫外線スペクトル画像", instruments=("EXCEED",),
        keywords=("EUV spectroscopy", "aurora", "Io plasma torus"), level="L2", period=("2013-11-01", "2023-11-30"),
        team="Hisaki EXCEED team", persons=(YOSHIKAWA,), contributors=CURATED, doi=100, granules=EXCEED, weight=8,
        related=(("IsDerivedFrom", "hisaki-exceed-raw"),),
    ),
    DatasetSpec(
        "hisaki-exceed-l3", "hisaki", Category.OBSERVATION, "Hisaki Jovian aurora and Io plasma torus light curves",
        "ひさき 木星オーロラ・イオプラズマトーラスの光度曲線", instruments=("EXCEED",),
        targets=("Jupiter", "Io plasma torus"),
        keywords=("aurora", "Io plasma torus"), level="L3", period=("2013-11-01", "2023-11-30"),
        formats=("CSV",), team="Hisaki EXCEED team", granules=EXCEED, weight=2,
        related=(("IsDerivedFrom", "hisaki-exceed-l2"),),
        access=Restricted(INCOMPLETE, "Hisaki EXCEED team", -60),
    ),
    DatasetSpec(
        "balloon-air-sampling", "isas-balloon", Category.OBSERVATION,
        "Stratospheric air sampling: greenhouse-gas concentrations and isotopes",
        "成層圏大気採取:温室効果気体の濃度と同位体比", instruments=("cryogenic air sampler",),
        targets=("Earth atmosphere",), keywords=("stratosphere", "greenhouse gases", "isotopes"), level="L2",
        period=("2008-05-27", "2023-06-30"), formats=("CSV",), team="Stratospheric air sampling team",
        persons=(HOSHINO,), doi=100, bbox=TAIKI_BBOX, granules=BALLOON_SAMPLE, weight=1,
    ),
    DatasetSpec(
        "balloon-flight-hk", "isas-balloon", Category.ENGINEERING,
        "Balloon flight housekeeping: altitude, position and gondola temperatures",
        "大気球 飛翔ハウスキーピングデータ(高度・位置・ゴンドラ温度)", targets=("Earth atmosphere",),
        keywords=("balloon", "housekeeping", "trajectory"), level="L1", period=("2008-05-01", None),
        formats=("CSV",), team="ISAS balloon group", bbox=TAIKI_BBOX, granules=BALLOON_HK, weight=2,
    ),
    DatasetSpec(
        "balloon-launch-video", "isas-balloon", Category.DOCUMENT,
        "Launch operations video, Taiki Aerospace Research Field", "大樹航空宇宙実験場 放球作業映像",
        note="Video of launch operations. It shows staff and visitors whose faces have not yet been blurred.",
        keywords=("balloon", "launch operations"), period=("2019-05-01", "2024-09-30"), formats=("MP4",),
        team="ISAS balloon group", bbox=TAIKI_BBOX, access=Restricted(PRIVACY, "ISAS balloon group", 730),
    ),
    DatasetSpec(
        "ss-520-x-hk", "isas-sounding-rocket", Category.ENGINEERING,
        "Sounding rocket housekeeping telemetry (safety review)", instruments=("SS-520",), level="L0",
        period=("2018-02-03", "2018-02-03"), formats=("binary",), team="ISAS sounding rocket group",
        bbox=UCHINOURA_BBOX, access=Restricted(PRIVACY, "Range safety office", 1590, disclose=False),
    ),
    DatasetSpec(
        "sr-s-520-ionosphere", "isas-sounding-rocket", Category.OBSERVATION,
        "S-520 sounding rockets: ionospheric electron density and plasma waves over Uchinoura",
        "S-520 観測ロケット:内之浦上空の電離圏電子密度とプラズマ波動", instruments=("S-520", "NEI", "FLP", "MWI"),
        keywords=("ionosphere", "electron density", "plasma waves"), level="L2", period=("2012-01-01", "2023-12-31"),
        formats=("CSV",), team="ISAS sounding rocket group", doi=100, bbox=UCHINOURA_BBOX, granules=ROCKET_TLM,
        weight=1,
        granule_access=Restricted(PRIVACY, "Uchinoura Space Center range safety", 1095),
    ),
    DatasetSpec(
        "sr-s-310-campaign", "isas-sounding-rocket", Category.OBSERVATION,
        "S-310 sounding rocket campaign: sporadic-E layer observations",
        "S-310 観測ロケット実験:スポラディックE層観測", instruments=("S-310", "NEI", "MWI"),
        keywords=("ionosphere", "sporadic E"), level="L2", period=("2025-08-01", None), formats=("CSV",),
        team="S-310 campaign team", bbox=UCHINOURA_BBOX, granules=ROCKET_TLM, weight=1,
        access=Restricted(PROPRIETARY, "S-310 campaign team", 160, RELEASE),
    ),
    DatasetSpec(
        "sr-range-radar", "isas-sounding-rocket", Category.ENGINEERING,
        "Uchinoura range radar tracking of sounding rocket flights", "内之浦 観測ロケット飛翔のレーダ追跡データ",
        keywords=("tracking", "range safety"), level="L1", period=("2012-01-01", "2023-12-31"), formats=("CSV",),
        team="Uchinoura Space Center", bbox=UCHINOURA_BBOX, granules=RANGE_RADAR, weight=1,
        access=Restricted(PRIVACY, "Uchinoura Space Center range safety", -90, DISCARD),
    ),
    DatasetSpec(
        "ryugu-sample-catalogue", "isas-escuc", Category.ANALYSIS, "Ryugu sample catalogue: curation records",
        "リュウグウ試料カタログ(キュレーション記録)",
        note="Mass, size, optical images and reflectance of each Ryugu particle described by the curation team.",
        note_ja="キュレーションチームが記載したリュウグウ粒子ごとの質量・サイズ・光学画像・反射スペクトル。",
        targets=("162173 Ryugu",), keywords=("returned sample", "curation"), level="derived",
        period=("2020-12-08", None), formats=("CSV", "JPEG"), team="Hayabusa2 sample curation team",
        persons=(TANAKA,), contributors=((ESCUC, "DataCollector"), (DARTS, "DataCurator")), doi=100,
        granules=RYUGU_PARTICLE, weight=2, related=(("IsSourceOf", "ryugu-sample-initial"),),
    ),
    DatasetSpec(
        "lab-lggun-impact", None, Category.EXPERIMENT,
        "Hypervelocity impact experiments with the ISAS two-stage light-gas gun",
        "宇宙研 二段式軽ガス銃による超高速衝突実験", targets=("asteroid surface analogues",),
        keywords=("impact", "cratering", "laboratory"), period=("2015-04-01", "2022-03-31"),
        formats=("CSV", "AVI"), team="ISAS hypervelocity impact facility", persons=(HOSHINO,), doi=100,
        granules=LIGHT_GAS_GUN, weight=1,
    ),
    DatasetSpec(
        "lab-chondrite-spectra-v1", None, Category.EXPERIMENT,
        "Reflectance spectra of heated carbonaceous-chondrite analogues, version 1",
        "加熱した炭素質コンドライト模擬物質の反射スペクトル 第1版", targets=("162173 Ryugu",),
        keywords=("reflectance spectroscopy", "space weathering"), period=("2018-04-01", "2019-03-31"),
        formats=("CSV",), team="ISAS planetary materials laboratory", doi=200,
        discard=Discard(
            1800, "The wavelength calibration of the spectrometer was wrong; all samples were measured again "
            "(version 2)."
        ),
    ),
    DatasetSpec(
        "lab-chondrite-spectra-v2", None, Category.EXPERIMENT,
        "Reflectance spectra of heated carbonaceous-chondrite analogues, version 2",
        "加熱した炭素質コンドライト模擬物質の反射スペクトル 第2版", targets=("162173 Ryugu",),
        keywords=("reflectance spectroscopy", "space weathering"), period=("2019-10-01", "2020-09-30"),
        formats=("CSV",), team="ISAS planetary materials laboratory", contributors=CURATED_BY_TANAKA, doi=300,
        version="2.0", related=(("IsNewVersionOf", "lab-chondrite-spectra-v1"), ("References", "hyb2-nirs3-l2")),
    ),
    DatasetSpec(
        "venus-afes-gcm", None, Category.SIMULATION,
        "Venus atmospheric general circulation model (AFES-Venus) outputs",
        "金星大気大循環モデル(AFES-Venus)出力", targets=("Venus",), keywords=("Venus", "GCM", "super-rotation"),
        formats=("NetCDF",), team="AFES-Venus group", persons=(NAKAMURA_M,), doi=400, issued="2021-03-31",
        related=(("IsSupplementTo", "vco-uvi-l3-winds"),),
    ),
    DatasetSpec(
        "sim-magnetotail-reconnection", None, Category.SIMULATION,
        "Particle-in-cell simulations of magnetic reconnection in the magnetotail",
        "磁気圏尾部の磁気リコネクションの粒子シミュレーション", targets=("Magnetotail",),
        keywords=("magnetic reconnection", "particle-in-cell"), formats=("HDF5",), team="ISAS space plasma group",
        persons=(KOBAYASHI,), issued="2022-11-30", reproducible=Reproducible.COSTLY,
        related=(("References", "geotail-lep"),),
    ),
    DatasetSpec(
        "isas-photo-archive", None, Category.DOCUMENT,
        "ISAS historical photograph archive: Kagoshima and Uchinoura launches since 1962",
        "宇宙研 歴史写真アーカイブ:鹿児島・内之浦の打ち上げ(1962年〜)", keywords=("history", "photographs", "launches"),
        period=("1962-02-01", None), formats=("JPEG", "TIFF"), team="ISAS archives office", doi=500,
        contributors=((ISAS_ORG, "DataCollector"), (KOBAYASHI, "DataCurator")),
        restrictions="Photographs credited to third parties in their captions may not be reused without those "
        "parties' permission.",
    ),
)
# fmt: on

MISSION_BY_ID: Mapping[str, MissionSpec] = MappingProxyType({m.id: m for m in MISSIONS})


def _orcid(first15: str) -> str:
    """Complete an ORCID iD with its ISO 7064 MOD 11-2 check character."""
    total = 0
    for digit in first15.replace("-", ""):
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return first15 + ("X" if check == 10 else str(check))


def _party(party: Party, role: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": party.name, "kind": "person" if party.person else "organization"}
    if party.name_ja:
        entry["name_ja"] = party.name_ja
    if party.orcid:
        entry["orcid"] = _orcid(party.orcid)
    if party.ror:
        entry["ror"] = party.ror
    if party.affiliation:
        entry["affiliation"] = party.affiliation
    if role:
        entry["role"] = role
    return entry


def _day(today: date, days: int) -> str:
    return (today + timedelta(days=days)).isoformat()


def _access(access: Access, today: date) -> dict[str, Any]:
    if isinstance(access, Public):
        entry: dict[str, Any] = {"status": str(AccessStatus.PUBLIC)}
        if access.caveat:
            entry["caveat"] = access.caveat
        if access.proprietary_months:
            entry["proprietary_months"] = access.proprietary_months
        return entry
    until = _day(today, access.until_days)
    entry = {
        "status": str(AccessStatus.RESTRICTED),
        "reason": str(access.reason),
        "scope": access.scope,
        "until": until,
        "after": str(access.after),
    }
    if not access.disclose:
        entry["disclose"] = False
    if access.release_schedule:
        entry["release_schedule"] = access.release_schedule.format(until=until)
    return entry


def _base_url(spec: DatasetSpec) -> str:
    return f"{DARTS_PUB}/{spec.path or f'{spec.mission or spec.category}/{spec.id}'}"


def _doi(spec: DatasetSpec) -> str | None:
    if spec.doi is None:
        return None
    stem = MISSION_BY_ID[spec.mission].doi_stem if spec.mission else NO_MISSION_DOI_STEM
    return f"{DOI_PREFIX}/{stem}-{spec.doi:05d}"


def _coverage(spec: DatasetSpec, today: date) -> tuple[datetime, datetime]:
    """Return the first and last moments of a dataset's data: ongoing data reaches 00:00Z of `today`."""
    assert spec.period is not None
    first_day, last_day = spec.period
    first = _epoch(first_day)
    if last_day is None:
        return first, datetime.combine(today, datetime.min.time(), UTC)
    return first, _epoch(last_day) + timedelta(days=1, seconds=-1)


def _issued(spec: DatasetSpec, today: date) -> str | None:
    """Return when the dataset was or will be first public: by its deadline, or derived from its coverage."""
    if isinstance(spec.access, Restricted):
        return _day(today, spec.access.until_days) if spec.access.after is AfterDeadline.RELEASE else None
    if spec.issued:
        return spec.issued
    if spec.period is None:
        return None
    first_day, last_day = spec.period
    if last_day is None or spec.access.proprietary_months:
        derived = date.fromisoformat(first_day) + timedelta(days=365)
    else:
        derived = date.fromisoformat(last_day) + timedelta(days=180)
    return min(derived, today).isoformat()


def _description(spec: DatasetSpec) -> dict[str, str]:
    mission = MISSION_BY_ID[spec.mission] if spec.mission else None
    origin = f"the {mission.short} mission" if mission else "ISAS/JAXA"
    level = f" Processing level {spec.level}." if spec.level else ""
    text = {"en": f"{spec.note or spec.title_en + '.'}{level} Data of {origin}, archived at DARTS."}
    if spec.note_ja:
        text["ja"] = spec.note_ja
    return text


def _team(spec: DatasetSpec, mission: MissionSpec | None) -> str:
    """Name the team that made the data: the one stated, else the mission's team of the first instrument."""
    if spec.team:
        return spec.team
    if mission is None or not spec.instruments:
        raise ValueError(f"dataset {spec.id} needs a team")
    return f"{mission.short} {spec.instruments[0]} team"


def _dataset(spec: DatasetSpec, today: date) -> dict[str, Any]:
    """Build one dataset record of contract v1."""
    mission = MISSION_BY_ID[spec.mission] if spec.mission else None
    base = _base_url(spec)
    record: dict[str, Any] = {
        "type": "dataset",
        "id": spec.id,
        "title": {"en": spec.title_en, **({"ja": spec.title_ja} if spec.title_ja else {})},
        "description": _description(spec),
        "category": str(spec.category),
        "creators": [{"name": _team(spec, mission), "kind": "organization"}, *(_party(p) for p in spec.persons)],
        "version": spec.version,
        "formats": list(spec.formats),
        "access": _access(spec.access, today),
    }
    if mission:
        record["mission"] = mission.id
    targets = spec.targets if spec.targets is not None else (mission.targets if mission else ())
    for key, values in (("instruments", spec.instruments), ("targets", targets), ("keywords", spec.keywords)):
        if values:
            record[key] = list(values)
    if spec.level:
        record["processing_level"] = spec.level
    if spec.contributors:
        record["contributors"] = [_party(party, role) for party, role in spec.contributors]
    doi = _doi(spec)
    related = list(spec.related)
    if doi:
        record["doi"] = doi
        related.append(("IsDocumentedBy", f"{base}/00readme.txt"))
    if related:
        record["related"] = [{"relation": relation, "target": target} for relation, target in related]
    if spec.period:
        first_day, last_day = spec.period
        record["temporal"] = {
            "start": f"{first_day}T00:00:00Z",
            "end": None if last_day is None else f"{last_day}T23:59:59Z",
        }
    if spec.bbox:
        record["spatial"] = {"bbox": list(spec.bbox)}
    record["assets"] = _dataset_assets(spec, base)
    issued = _issued(spec, today)
    if issued:
        record["issued"] = issued
    credit = spec.credit or ((mission.credit,) if mission and mission.credit else ())
    if doi or credit or spec.restrictions or spec.license:
        rights: dict[str, Any] = {"license": spec.license or "CC-BY-4.0"}
        if credit:
            rights["credit"] = list(credit)
        if spec.restrictions:
            rights["restrictions"] = spec.restrictions
        record["rights"] = rights
    if spec.reproducible:
        record["retention"] = {"reproducible": str(spec.reproducible)}
    if spec.discard:
        lifecycle = {"state": "discarded", "discarded": _day(today, -spec.discard.days_ago)}
        if spec.discard.reason:
            lifecycle["reason"] = spec.discard.reason
        record["lifecycle"] = lifecycle
    return record


def _dataset_assets(spec: DatasetSpec, base: str) -> list[dict[str, Any]]:
    readme = {"href": f"{base}/00readme.txt", "media_type": "text/plain", "roles": ["documentation"]}
    if spec.category is Category.SOFTWARE:
        package = f"{base}/{spec.id}-{spec.version}.tar.gz"
        release = {"href": package, "title": f"Release {spec.version}", "media_type": "application/gzip"}
        return [{**release, "roles": ["data"]}, readme]
    if spec.category is Category.DOCUMENT:
        thumbnail = {"href": f"{base}/thumbnail.jpg", "media_type": "image/jpeg", "roles": ["thumbnail"]}
        return [{"href": f"{base}/", "title": "Collection", "roles": ["data"]}, thumbnail, readme]
    return [{"href": f"{base}/", "title": "Data directory", "roles": ["data"]}, readme]


def _granule_counts(total: int, today: date) -> Iterator[tuple[DatasetSpec, int]]:
    """Share `total` granules by weight (largest remainders) among the datasets that have data before `today`."""
    specs = [
        spec
        for spec in DATASETS
        if spec.granules is not None and spec.weight > 0 and spec.period and spec.period[0] < today.isoformat()
    ]
    weight = sum(spec.weight for spec in specs)
    if total and not weight:
        raise ValueError(f"no dataset of the demo has data before {today}")
    quotas = [divmod(total * spec.weight, weight) for spec in specs]
    left = total - sum(q for q, _ in quotas)
    extra = set(sorted(range(len(specs)), key=lambda i: (-quotas[i][1], i))[:left])
    for index, spec in enumerate(specs):
        count = quotas[index][0] + (index in extra)
        if count:
            yield spec, count


def _properties(kind: GranuleKind, rng: random.Random, moment: datetime) -> dict[str, Any]:
    properties: dict[str, Any] = dict(kind.fixed)
    if kind.pointings:
        name, ra, dec = rng.choice(kind.pointings)
        properties.update(object=name, ra=ra, dec=dec)
    if kind.filters:
        properties["filter"] = rng.choice(kind.filters)
    for key, options in kind.choices:
        properties[key] = rng.choice(options)
    if kind.exposure:
        low, high = kind.exposure
        exposure = rng.uniform(low, high)
        properties["exposure_s"] = round(exposure) if high >= 100 else round(exposure, 4)
    if kind.orbit:
        properties["orbit"] = kind.orbit.number(moment)
    return properties


def _granule_bbox(bbox: tuple[float, float, float, float], rng: random.Random) -> list[float]:
    west, south, east, north = bbox
    left = round(rng.uniform(west, east - 0.5), 3)
    bottom = round(rng.uniform(south, north - 0.3), 3)
    return [left, bottom, round(left + 0.5, 3), round(bottom + 0.3, 3)]


def _granules(spec: DatasetSpec, count: int, today: date, seed: int) -> Iterator[dict[str, Any]]:
    """Yield `count` granules spread over the dataset's coverage, in time order.

    Each granule starts in its own slot of the coverage, so start times are strictly increasing to the
    second; only when there are more granules than seconds do ids take the granule's number as well.
    """
    kind = spec.granules
    assert kind is not None
    rng = random.Random(f"{seed}/{spec.id}")
    first, last = _coverage(spec, today)
    now = datetime.combine(today, datetime.min.time(), UTC)
    span = max(0, int((last - first).total_seconds()))
    step = span // count
    base = _base_url(spec)
    stem = spec.id.replace("-", "_")
    override_at = count // 2 if spec.granule_access else -1
    for index in range(count):
        offset = index * step + rng.randrange(max(1, step // 2)) if step else index * span // count
        start = first + timedelta(seconds=offset)
        if kind.serial:
            serial = kind.serial
            granule_id = f"{serial.prefix}{serial.first + index:0{serial.width}d}{serial.suffix}"
        else:
            granule_id = f"{stem}_{start:%Y%m%d_%H%M%S}" + ("" if step else f"_{index:07d}")
        record: dict[str, Any] = {"type": "granule", "id": granule_id, "dataset": spec.id}
        if kind.seconds:
            room = (index + 1) * step - offset if step else 0
            end = start + timedelta(seconds=min(kind.seconds, room))
            record["start"], record["end"] = format_time(start), format_time(end)
        else:
            end = start
            record["datetime"] = format_time(start)
        if kind.downlink_hours:
            record["acquired"] = format_time(max(end, min(end + timedelta(hours=kind.downlink_hours), now)))
        if spec.bbox:
            record["bbox"] = _granule_bbox(spec.bbox, rng)
        record["assets"] = [
            {"href": f"{base}/{kind.file.format(id=granule_id)}", "media_type": kind.media_type, "roles": ["data"]}
        ]
        record["properties"] = _properties(kind, rng, start)
        if index == override_at and spec.granule_access:
            record["access"] = _access(spec.granule_access, today)
        yield record


def _mission(spec: MissionSpec) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "mission",
        "id": spec.id,
        "name": {"en": spec.name_en, "ja": spec.name_ja},
        "platform": str(spec.platform),
        "targets": list(spec.targets),
        "description": {"en": spec.about_en, "ja": spec.about_ja},
    }
    if spec.launched:
        record["launched"] = spec.launched
    if spec.ended:
        record["ended"] = spec.ended
    if spec.url:
        record["url"] = spec.url
    return record


def demo_records(*, granules: int = 20_000, today: date, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """Yield the demo archive's records in contract v1: missions, then datasets, then granules.

    Deadlines, releases and discards are set relative to `today`, so every policy state stays present whatever
    the date; the same arguments give the same records. Granules are made one at a time (memory does not grow
    with `granules`), spread by weight over the datasets that naturally have them and grouped by dataset.
    """
    for mission in MISSIONS:
        yield _mission(mission)
    for spec in DATASETS:
        yield _dataset(spec, today)
    for spec, count in _granule_counts(granules, today):
        yield from _granules(spec, count, today, seed)
