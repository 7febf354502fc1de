"""The history store at scale: build a big synthetic history, then time what the GUI and CLI do.

    python bench/store_scale.py [--conversations 10000 --messages 1000000] [--out docs/benchmarks.md]

The history mixes Chinese and English (questions 10–80 characters, answers 100–800, about a
third of the answers with 1–5 knowledge-base passages) and includes one conversation of 5,000
messages and one of 1,000. It is written with bulk inserts through SQL (the full-text index is
kept by the schema's triggers, as in the app), then checked through the ``Store`` API. The
timings go to the "## Store at scale" section of ``--out`` (other sections are kept).
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchdoc import write_section  # bench/ is on sys.path when a script here runs

from coze_desktop.store import ConversationSummary, Store

try:  # written by another part of the project; the benchmark measures it when it is there
    from coze_desktop import export as export_module
except ImportError:  # pragma: no cover - depends on the checkout
    export_module = None  # type: ignore[assignment]

SECTION_TITLE = "## Store at scale"
TARGETS_MS = {
    "search_median": 50.0,
    "search_p95": 200.0,
    "load_5000": 100.0,
    "list_page": 20.0,
    "open": 100.0,
}
BIG_CONVERSATIONS = (5000, 1000)
BATCH = 20_000

ZH_WORDS = (
    "我们 你们 他们 这个 那个 什么 怎么 为什么 可以 需要 应该 已经 没有 问题 方法 系统 数据 数据库 "
    "服务器 接口 文档 用户 模型 训练 部署 配置 参数 网络 安全 性能 优化 缓存 索引 查询 搜索 知识库 "
    "人工智能 机器学习 深度学习 神经网络 自然语言 处理 识别 图像 语音 翻译 北京 上海 广州 深圳 杭州 "
    "成都 天气 明天 今天 昨天 时间 地点 价格 产品 服务 客户 订单 支付 退款 物流 快递 发票 合同 "
    "公司 部门 经理 员工 会议 报告 计划 项目 进度 风险 预算 成本 收入 利润 市场 销售 推广 品牌 "
    "设计 开发 测试 上线 版本 更新 升级 错误 异常 日志 监控 告警 备份 恢复 迁移 扩容 负载 均衡 "
    "容器 集群 节点 存储 文件 目录 权限 账号 密码 登录 注册 验证 令牌 会话 消息 回复 对话 聊天 "
    "机器人 智能体 插件 工作流 变量 函数 代码 脚本 程序 算法 结构 框架 组件 模块 功能 页面 按钮 "
    "学生 老师 课程 考试 作业 成绩 学校 医院 医生 病人 药品 健康 运动 饮食 旅游 酒店 机票 火车 "
    "地铁 公交 出租车 餐厅 咖啡 音乐 电影 游戏 小说 新闻 历史 文化 经济 政策 法律 环境 能源 汽车 "
    "手机 电脑 软件 硬件 芯片 屏幕 电池 充电 蓝牙 网页 浏览器 应用 下载 安装 卸载 设置 帮助 总结 "
    "分析 比较 建议 步骤 例子 原因 结果 影响 特点 优点 缺点 区别 关系 重要 简单 复杂 快速 稳定 "
    "准确 详细 具体 一般 通常 目前 未来 首先 然后 最后 另外 因此 但是 如果 虽然 所以 而且 或者 "
    "以及 关于 根据 通过 由于 对于 之后 之前 同时 比如 就是 还是 只是 非常 比较 特别 可能 一定"
).split()
EN_WORDS = (
    "the a of to and in is for that with on as it be this are by from or at an can you your we "
    "data database server client api token model prompt query index search cache python java "
    "script config error request response stream chat bot agent workflow plugin knowledge base "
    "dataset document slice score user message conversation vector embedding latency throughput "
    "deploy release version update docker kubernetes cluster node storage network security login "
    "Coze SQLite FTS5 trigram Markdown JSON HTML Linux Windows macOS GPU CPU memory disk "
    "machine learning deep neural translate summary example step result reason because however "
    "please thanks hello world question answer help time price order payment refund invoice"
).split()
# Long-tail words: pairs of common characters, so the vocabulary has a realistic Zipf tail.
COMMON_CHARS = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子"
    "说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机"
    "当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心"
    "反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程"
    "展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期"
)
ZH_PUNCT = "，。！？；："
EN_PUNCT = ",.;:"
TWO_CHAR_QUERIES = ("数据", "北京", "模型", "问题", "缓存", "天气", "订单", "芯片", "Py", "错误")
THREE_CHAR_QUERIES = (
    "数据库",
    "知识库",
    "服务器",
    "机器人",
    "智能体",
    "工作流",
    "SQL",
    "API",
    "出租车",
    "浏览器",
)
LONG_QUERIES = (
    "人工智能模型",
    "数据库 索引",
    "machine learning",
    "深度学习 神经网络",
    "自然语言处理",
    "knowledge base",
    "服务器 负载 均衡",
    "trigram index",
    "机器学习 python",
    "上海 天气 明天",
)
SEARCH_GROUPS = {
    "2 characters": TWO_CHAR_QUERIES,
    "3 characters": THREE_CHAR_QUERIES,
    "6+ characters or several words": LONG_QUERIES,
}
NO_HIT_QUERY = "鑫龘"  # two characters that occur nowhere
RARE_QUERY = "zq"  # two characters that occur once, in an old message (the planted phrase)
PLANTED_PHRASE = "基准测试的独特标记 zqxj-marker"


@dataclass
class Vocabulary:
    """Words with Zipf-like weights, drawn in bulk."""

    words: list[str]
    cumulative: list[float]
    rng: random.Random

    @classmethod
    def build(cls, rng: random.Random) -> Vocabulary:
        tail = sorted({a + b for a, b in itertools.product(COMMON_CHARS, repeat=2)})
        rng.shuffle(tail)
        zh = ZH_WORDS + tail[:4000]
        words: list[str] = []
        for i, word in enumerate(zh):
            words.append(word)
            if i < len(EN_WORDS):
                words.append(EN_WORDS[i])
        weights = [1.0 / (rank + 10) for rank in range(len(words))]
        return cls(words, list(itertools.accumulate(weights)), rng)

    def text(self, length: int) -> str:
        """About ``length`` characters of mixed Chinese and English prose."""
        pieces: list[str] = []
        size = 0
        rng = self.rng
        while size < length:
            chunk = rng.choices(self.words, cum_weights=self.cumulative, k=max(4, (length - size) // 2))
            for word in chunk:
                if word.isascii():
                    piece = " " + word + (rng.choice(EN_PUNCT) if rng.random() < 0.08 else "") + " "
                else:
                    piece = word + (rng.choice(ZH_PUNCT) if rng.random() < 0.12 else "")
                pieces.append(piece)
                size += len(piece)
                if size >= length:
                    break
        return re.sub(r" +", " ", "".join(pieces)).strip()[:length]


@dataclass
class Plan:
    """Which conversation each message belongs to, and when it was written."""

    conversation_times: list[float]
    messages: list[tuple[float, int, int]] = field(default_factory=list)  # (created_at, conv, seq)


def make_plan(conversations: int, total: int, rng: random.Random, now: float) -> Plan:
    sizes = list(BIG_CONVERSATIONS)
    rest = total - sum(sizes)
    others = conversations - len(sizes)
    if others < 1 or rest < 2 * others:
        raise SystemExit("need at least two messages for each of the other conversations")
    cuts = sorted(rng.sample(range(1, rest // 2), others - 1))
    pairs = [b - a for a, b in zip([0, *cuts], [*cuts, rest // 2], strict=True)]
    sizes += [2 * p for p in pairs]
    sizes[-1] += total - sum(sizes)
    two_years = 2 * 365 * 86400.0
    plan = Plan(conversation_times=[])
    for conv_index, size in enumerate(sizes):
        start = now - two_years * rng.random()
        span = min(now - start, 86400.0 * (30 if size > 500 else rng.uniform(0.01, 3)))
        plan.conversation_times.append(start)
        step = span / max(size, 1)
        plan.messages.extend((start + seq * step, conv_index, seq) for seq in range(size))
    plan.messages.sort()
    return plan


def build(path: Path, conversations: int, total: int, seed: int) -> dict[str, float]:
    """Write the synthetic history to ``path``; returns facts about the build."""
    rng = random.Random(seed)
    vocab = Vocabulary.build(rng)
    now = time.time()
    started = time.perf_counter()
    plan = make_plan(conversations, total, rng, now)
    Store.open(path).close()  # the schema, exactly as the app creates it
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = OFF")  # a throwaway file: build speed over durability
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO conversations (id, uid, bot_id, base_url, title, created_at, updated_at, pinned) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i + 1,
                uuid.UUID(int=rng.getrandbits(128)).hex,
                f"bot-{i % 7}",
                "https://api.coze.cn",
                vocab.text(rng.randint(6, 20)),
                t,
                t,
                int(i % 997 == 0),
            )
            for i, t in enumerate(plan.conversation_times)
        ],
    )
    conn.execute("COMMIT")
    sources_total = 0
    # Each message follows the one before it in its conversation (parent_id), as the app saves it:
    # one version of every message, the conversation a single path.
    last_of: dict[int, int] = {}
    for batch_start in range(0, len(plan.messages), BATCH):
        messages, sources = [], []
        for offset, (created_at, conv_index, seq) in enumerate(
            plan.messages[batch_start : batch_start + BATCH], start=batch_start + 1
        ):
            is_user = seq % 2 == 0
            text = vocab.text(rng.randint(10, 80) if is_user else rng.randint(100, 800))
            if offset == len(plan.messages) // 2:
                text = PLANTED_PHRASE + " " + text
            messages.append(
                (
                    offset,
                    uuid.UUID(int=rng.getrandbits(128)).hex,
                    conv_index + 1,
                    "user" if is_user else "assistant",
                    "question" if is_user else "answer",
                    text,
                    "complete",
                    created_at,
                    last_of.get(conv_index),
                )
            )
            last_of[conv_index] = offset
            if not is_user and rng.random() < 0.3:
                for rank in range(rng.randint(1, 5)):
                    sources.append(
                        (offset, rank, vocab.text(rng.randint(100, 400)), rng.random(), f"doc-{rank}")
                    )
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO messages (id, uid, conversation_id, role, type, text, state, created_at, parent_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            messages,
        )
        conn.executemany(
            "INSERT INTO sources (message_id, rank, slice, score, document) VALUES (?, ?, ?, ?, ?)", sources
        )
        conn.execute("COMMIT")
        sources_total += len(sources)
        done = batch_start + len(messages)
        if done % 100_000 < BATCH:
            print(f"  {done:,} messages written ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.execute(
        "UPDATE conversations SET updated_at = (SELECT max(created_at) FROM messages m "
        "WHERE m.conversation_id = conversations.id)"
    )
    merge_started = time.perf_counter()
    conn.execute("INSERT INTO search_index (search_index) VALUES ('optimize')")
    optimize_seconds = time.perf_counter() - merge_started
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return {
        "build_seconds": time.perf_counter() - started,
        "optimize_seconds": optimize_seconds,
        "sources": sources_total,
    }


def timed(action: Callable[[], object]) -> float:
    """Milliseconds one call takes."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def p95(samples: Sequence[float]) -> float:
    """The nearest-rank 95th percentile (with 10 samples: the largest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Results:
    """Every timing of the report, in milliseconds, and the size of the file."""

    open: float = 0.0
    list_page: float = 0.0
    list_page_deep: float = 0.0
    page_5000: float = 0.0
    load_5000: float = 0.0
    searches: dict[str, list[float]] = field(default_factory=dict)  # query group -> samples
    search_no_hit: float = 0.0
    search_rare: float = 0.0
    export: dict[str, float] | None = None
    size_mb: float = 0.0


def check_consistency(store: Store, total: int, conversations: int) -> dict[int, int]:
    """Look at the built history through the API; returns the big conversations' ids by size."""
    summaries = [s for page in _pages(store, conversations) for s in page]
    counted = sum(s.message_count for s in summaries)
    assert counted == total, f"the conversation list counts {counted} messages, expected {total}"
    big = {s.message_count: s.conversation.id for s in summaries if s.message_count in BIG_CONVERSATIONS}
    assert set(big) == set(BIG_CONVERSATIONS), "the big conversations are missing"
    hits = store.search(PLANTED_PHRASE.split()[0])
    assert len(hits) == 1 and "«" in hits[0].snippet, "the planted phrase is not found exactly once"
    message = store.get_message(hits[0].message_id)
    assert message is not None and PLANTED_PHRASE in message.text
    assert len(store.search(RARE_QUERY)) == 1, "the rare short word is not found exactly once"
    for conv_id in big.values():
        assert conv_id is not None
        newest = store.message_page(conv_id, limit=50)
        everything = store.messages(conv_id)
        assert [m.id for m in reversed(newest)] == [m.id for m in everything[-50:]]
    return {size: conv_id for size, conv_id in big.items() if conv_id is not None}


def _pages(store: Store, conversations: int) -> Iterator[list[ConversationSummary]]:
    for offset in range(0, conversations, 1000):
        yield store.list_conversations(limit=1000, offset=offset)


def measure(path: Path, conversations: int, total: int) -> Results:
    """Time what the app does with the built history."""
    results = Results()
    opens = []
    for _ in range(5):
        started = time.perf_counter()
        store = Store.open(path)
        opens.append((time.perf_counter() - started) * 1000)
        store.close()
    results.open = statistics.median(opens)
    with Store.open(path) as store:
        big = check_consistency(store, total, conversations)
        results.list_page = median_of(20, lambda: store.list_conversations(limit=50))
        results.list_page_deep = median_of(
            5, lambda: store.list_conversations(limit=50, offset=conversations // 2)
        )
        results.page_5000 = median_of(20, lambda: store.message_page(big[5000], limit=50))
        results.load_5000 = median_of(5, lambda: store.messages(big[5000]))
        for name, queries in SEARCH_GROUPS.items():
            for query in queries:  # warm-up pass: the first query after the build pays for the cache
                store.search(query)
            results.searches[name] = [timed(lambda q=query: store.search(q)) for query in queries]
        results.search_no_hit = timed(lambda: store.search(NO_HIT_QUERY))
        results.search_rare = timed(lambda: store.search(RARE_QUERY))
        results.export = measure_export(store, big[1000])
    results.size_mb = (
        sum(p.stat().st_size for p in path.parent.iterdir() if p.name.startswith(path.name)) / 2**20
    )
    return results


def median_of(runs: int, action: Callable[[], object]) -> float:
    """Median milliseconds of ``runs`` calls."""
    return statistics.median(timed(action) for _ in range(runs))


def measure_export(store: Store, conversation_id: int) -> dict[str, float] | None:
    """Milliseconds to export the 1,000-message conversation in each format (load included)."""
    if export_module is None:
        return None
    conversation = store.get_conversation(conversation_id)
    assert conversation is not None

    def items() -> list[export_module.ConversationExport]:
        return [export_module.ConversationExport(conversation, store.messages(conversation_id))]

    return {
        "Markdown": median_of(3, lambda: export_module.to_markdown(items())),
        "JSON": median_of(3, lambda: export_module.to_json(items())),
        "HTML": median_of(3, lambda: export_module.to_html(items())),
    }


def verdict(value: float, target: float) -> str:
    return "✅" if value <= target else "❌ missed"


def report(args: argparse.Namespace, facts: dict[str, float], results: Results) -> str:
    """The Markdown section."""
    rows = [
        (
            "open the store (median of 5)",
            f"{results.open:.1f}",
            "≤ 100",
            verdict(results.open, TARGETS_MS["open"]),
        ),
        (
            "first page (50) of the conversation list",
            f"{results.list_page:.2f}",
            "≤ 20",
            verdict(results.list_page, TARGETS_MS["list_page"]),
        ),
        (f"a list page at offset {args.conversations // 2:,}", f"{results.list_page_deep:.2f}", "–", ""),
        ("newest page (50) of the 5,000-message conversation", f"{results.page_5000:.2f}", "–", ""),
        (
            "all of the 5,000-message conversation (with sources, follow-ups, usage)",
            f"{results.load_5000:.1f}",
            "≤ 100",
            verdict(results.load_5000, TARGETS_MS["load_5000"]),
        ),
    ]
    for name, samples in results.searches.items():
        median, high = statistics.median(samples), p95(samples)
        rows.append(
            (
                f"search, {name} ({', '.join(SEARCH_GROUPS[name])})",
                f"{median:.1f} / {high:.1f}",
                "≤ 50 / ≤ 200",
                f"{verdict(median, TARGETS_MS['search_median'])} {verdict(high, TARGETS_MS['search_p95'])}",
            )
        )
    rows.append(
        (
            f"search, 2 characters that occur nowhere (`{NO_HIT_QUERY}`)",
            f"{results.search_no_hit:.1f}",
            "–",
            "",
        )
    )
    rows.append(
        (
            f"search, 2 characters found once, in an old message (`{RARE_QUERY}`)",
            f"{results.search_rare:.1f}",
            "–",
            "",
        )
    )
    if results.export is None:
        rows.append(("export", "not measured: `coze_desktop.export` is missing", "", ""))
    else:
        rows.append(
            (
                "export the 1,000-message conversation (load + render): " + " / ".join(results.export),
                " / ".join(f"{ms:.0f}" for ms in results.export.values()),
                "–",
                "",
            )
        )
    lines = [
        SECTION_TITLE,
        "",
        f"`python bench/store_scale.py --conversations {args.conversations} --messages {args.messages}`, "
        f"run {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs ({platform.machine()}), "
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}.",
        "",
        f"Synthetic history: {args.conversations:,} conversations, {args.messages:,} messages "
        f"(mixed Chinese/English; questions 10–80 characters, answers 100–800; "
        f"{int(facts['sources']):,} source passages on ~30% of the answers), one conversation of "
        "5,000 messages and one of 1,000. Built with bulk inserts (full-text index kept by the "
        f"schema's triggers) in {facts['build_seconds']:.0f} s, FTS `optimize` "
        f"{facts['optimize_seconds']:.0f} s; then checked through the `Store` API. "
        f"Database file: **{results.size_mb:,.0f} MB**.",
        "",
        "Times in milliseconds, warm page cache (the history was just written), median unless noted; "
        "search: median / p95 over ten queries (nearest rank, so p95 of ten is the slowest), "
        "each returning its first page of 20 hits with snippets.",
        "",
        "| operation | measured (ms) | target (ms) | |",
        "|---|---:|---:|---|",
        *(f"| {what} | {value} | {target} | {mark} |" for what, value, target, mark in rows),
        "",
    ]
    return "\n".join(lines)



def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, help="Markdown file to write the section into")
    parser.add_argument(
        "--dir", type=Path, help="where to build (default: a temporary folder, removed after)"
    )
    parser.add_argument("--reuse", action="store_true", help="measure the history already in --dir")
    parser.add_argument("--seed", type=int, default=20240607)
    args = parser.parse_args(argv)

    workdir = args.dir or Path(tempfile.mkdtemp(prefix="coze-store-bench-"))
    path = workdir / "history.sqlite3"
    facts_file = workdir / "build-facts.json"
    try:
        if not (args.reuse and path.exists()):
            if path.exists():
                raise SystemExit(f"{path} exists; pass --reuse to measure it or choose another --dir")
            print(f"building {args.messages:,} messages in {args.conversations:,} conversations at {path}")
            facts = build(path, args.conversations, args.messages, args.seed)
            facts_file.write_text(json.dumps(facts), encoding="utf-8")
        facts = json.loads(facts_file.read_text(encoding="utf-8"))
        results = measure(path, args.conversations, args.messages)
        section = report(args, facts, results)
        print(section)
        if args.out:
            write_section(args.out, section)
            print(f"wrote {args.out}")
    finally:
        if args.dir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
