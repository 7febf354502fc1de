"""The knowledge-base demo bot's knowledge: topics, their passages and sources, and matching.

Each topic has its own passages (a knowledge_recall chunk plus what the bot says about it, in
Chinese and English), keywords in both languages, a closing tip and follow-up questions. A
question is matched to the topic whose keywords it mentions most (longer keywords weigh more, so
"退货运费" is a return question, not a shipping one); a question that mentions none gets no topic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

AFTER_SALES = {"id": "7450000000000000001", "name": "售后知识库"}
FINANCE = {"id": "7450000000000000002", "name": "财务与发票"}
ACCOUNT_HELP = {"id": "7450000000000000003", "name": "账号帮助中心"}
_DATASET_EN = {
    AFTER_SALES["name"]: "after-sales knowledge base",
    FINANCE["name"]: "finance and invoices knowledge base",
    ACCOUNT_HELP["name"]: "account help centre",
}
_NO_LINK = {"title": "", "url": ""}
_NO_CARD = {"title": "", "con": "", "index": ""}
_LATIN = re.compile(r"[a-z]")
_NOT_WORD = re.compile(r"[\W_]+")


def _chunk(
    slice_: str, score: float, doc_id: str, doc_name: str, dataset: dict[str, str], url: str = ""
) -> dict[str, Any]:
    """Return one knowledge_recall chunk in the layout of coze-api.md §4 (a link when ``url`` is set)."""
    link = {"title": doc_name, "url": url} if url else _NO_LINK
    document = {"id": doc_id, "name": doc_name, "format_type": 0, "source_type": 1 if url else 0}
    return {
        "slice": slice_,
        "score": score,
        "meta": {"dataset": dataset, "document": document, "link": link, "card": _NO_CARD},
    }


@dataclass(frozen=True)
class Passage:
    """A knowledge-base chunk and what the knowledge bot says about it, in Chinese and English."""

    chunk: dict[str, Any]
    zh: str
    en: str


@dataclass(frozen=True)
class Topic:
    """One subject the knowledge base covers."""

    name: str
    keywords: tuple[str, ...]  # Chinese as substrings; English (lower case) at the start of a word
    passages: tuple[Passage, ...]
    tip_zh: str
    tip_en: str
    follow_ups_zh: tuple[str, ...]  # at least four, so three remain when one is the question
    follow_ups_en: tuple[str, ...]

    @property
    def source_zh(self) -> str:
        """The knowledge base the topic's passages come from, as the answer names it in Chinese."""
        return str(self.passages[0].chunk["meta"]["dataset"]["name"])

    @property
    def source_en(self) -> str:
        """The same in English."""
        return _DATASET_EN[self.source_zh]


RETURNS = Topic(
    "returns",
    (
        "退货",
        "退换",
        "换货",
        "退回",
        "无理由",
        "拆封",
        "能退",
        "退货运费",
        "return",
        "return shipping",
        "exchange",
        "send back",
        "send it back",
        "opened",
    ),
    (
        Passage(
            _chunk(
                "自签收之日起 7 天内，商品未拆封可申请无理由退货；已拆封商品仅在质量问题时受理。",
                0.8312,
                "7450000000000000011",
                "退换货政策.pdf",
                AFTER_SALES,
            ),
            "**退货时限**：自签收之日起 7 天内，未拆封的商品可以申请无理由退货；已拆封的商品仅在存在质量问题时受理。",
            "**Return window**: unopened items can be returned within 7 days of delivery, no reason "
            "needed; opened items only when they are faulty.",
        ),
        Passage(
            _chunk(
                "退货运费：质量问题由商家承担，非质量问题由买家承担；商家承担的运费以退款形式返还。",
                0.7645,
                "7450000000000000012",
                "帮助中心-退货运费",
                AFTER_SALES,
                "https://help.example.com/returns/shipping",
            ),
            "**退货运费**：质量问题的运费由商家承担，非质量问题由买家承担，商家承担的部分会随退款返还。",
            "**Return shipping**: the seller pays when the item is faulty, otherwise the buyer pays; "
            "the seller's share comes back with the refund.",
        ),
    ),
    "> 如需办理，请在「我的订单」中提交售后申请，并保留商品包装和配件。",
    "> To start a return, open **My orders** and keep the packaging and accessories.",
    ("已拆封的商品还能退吗？", "退货运费谁承担？", "保修期内维修需要什么材料？", "退款多久能到账？"),
    (
        "Can I return an item I have opened?",
        "Who pays for return shipping?",
        "What do I need for a warranty repair?",
        "How long does a refund take?",
    ),
)

REFUNDS = Topic(
    "refunds",
    ("退款", "退钱", "到账", "refund", "money back", "reimburse"),
    (
        Passage(
            _chunk(
                "退款时效：商家确认收到退货后 1 个工作日内发起退款，原路退回；"
                "余额 1 个工作日内到账，银行卡 3–7 个工作日，信用卡以发卡行为准。",
                0.8127,
                "7450000000000000021",
                "退款到账说明.pdf",
                AFTER_SALES,
            ),
            "**到账时间**：商家确认收到退货后 1 个工作日内发起退款，原路退回；余额 1 个工作日内到账，"
            "银行卡 3–7 个工作日，信用卡以发卡行为准。",
            "**When it arrives**: the refund is issued within 1 working day after the returned item "
            "is received, to the original payment method; balance within 1 working day, bank cards in "
            "3–7 working days, credit cards as the issuing bank handles it.",
        ),
        Passage(
            _chunk(
                "仅退款：未发货的订单可直接申请仅退款，无需退货；已发货但未收到货的订单，可拒收后申请退款。",
                0.7391,
                "7450000000000000022",
                "帮助中心-仅退款",
                AFTER_SALES,
                "https://help.example.com/refunds/refund-only",
            ),
            "**仅退款**：未发货的订单可以直接申请仅退款；已发货但还没收到的，拒收后即可申请退款。",
            "**Refund without a return**: an order that has not shipped can be refunded directly; if "
            "it has shipped but not arrived, refuse the parcel and then ask for the refund.",
        ),
    ),
    "> 退款进度可在「我的订单 → 售后详情」中查看，超过时效仍未到账请联系客服。",
    "> Follow the refund under **My orders → After-sales details**; contact support if it is late.",
    ("退款多久能到账？", "没发货的订单怎么退款？", "退货运费谁承担？", "怎么开发票？"),
    (
        "How long does a refund take?",
        "Can I get a refund for an order that has not shipped?",
        "Who pays for return shipping?",
        "How do I get an invoice?",
    ),
)

SHIPPING = Topic(
    "shipping",
    (
        "配送",
        "发货",
        "快递",
        "物流",
        "运费",
        "送达",
        "到货",
        "包邮",
        "shipping",
        "ship",
        "deliver",
        "courier",
        "track",
        "parcel",
        "postage",
    ),
    (
        Passage(
            _chunk(
                "发货时效：现货商品在付款后 48 小时内发货；预售商品以商品页标注的发货时间为准。"
                "同城 1–2 天送达，其他地区 2–5 天，偏远地区 5–7 天。",
                0.8056,
                "7450000000000000031",
                "配送说明.pdf",
                AFTER_SALES,
            ),
            "**发货与送达**：现货商品付款后 48 小时内发货，预售商品以商品页为准；同城 1–2 天送达，"
            "其他地区 2–5 天，偏远地区 5–7 天。",
            "**Dispatch and delivery**: items in stock ship within 48 hours of payment, pre-orders on "
            "the date on the product page; 1–2 days in the same city, 2–5 days elsewhere, 5–7 days to "
            "remote areas.",
        ),
        Passage(
            _chunk(
                "运费标准：订单满 99 元包邮，不满 99 元收取 8 元运费；偏远地区（新疆、西藏等）另加 10 元。",
                0.7702,
                "7450000000000000032",
                "帮助中心-运费标准",
                AFTER_SALES,
                "https://help.example.com/shipping/fees",
            ),
            "**运费**：订单满 99 元包邮，不满 99 元收 8 元；新疆、西藏等偏远地区另加 10 元。",
            "**Shipping fees**: free from ¥99, otherwise ¥8; remote areas such as Xinjiang and Tibet "
            "add ¥10.",
        ),
    ),
    "> 发货后可在「我的订单 → 查看物流」中跟踪包裹。",
    "> Once shipped, track the parcel under **My orders → Track package**.",
    ("下单后多久发货？", "运费怎么算？", "收到的商品有问题能退货吗？", "可以开发票吗？"),
    (
        "How soon will my order ship?",
        "How much is shipping?",
        "Can I return an item that arrived damaged?",
        "Can I get an invoice?",
    ),
)

WARRANTY = Topic(
    "warranty",
    ("保修", "维修", "质保", "坏了", "故障", "修理", "warranty", "repair", "broken", "faulty", "defect"),
    (
        Passage(
            _chunk(
                "整机保修 1 年，主要部件保修 2 年；保修期内凭订单号和购买凭证可免费维修。",
                0.8433,
                "7450000000000000041",
                "保修条款.docx",
                AFTER_SALES,
            ),
            "**保修期**：整机保修 1 年、主要部件保修 2 年，保修期内凭订单号和购买凭证免费维修。",
            "**Warranty period**: 1 year on the whole device and 2 years on main parts; repairs are "
            "free within the warranty with your order number and receipt.",
        ),
        Passage(
            _chunk(
                "不在保修范围内：人为损坏、进水、私自拆修，以及耳机套、充电线等易耗配件。",
                0.7517,
                "7450000000000000042",
                "保修条款.docx",
                AFTER_SALES,
            ),
            "**不保修的情况**：人为损坏、进水、私自拆修，以及耳机套、充电线等易耗配件。",
            "**Not covered**: accidental damage, water damage, repairs by anyone else, and consumables "
            "such as ear tips and charging cables.",
        ),
        Passage(
            _chunk(
                "申请维修：在「我的订单」中选择商品并提交维修申请，上传故障照片或视频；"
                "审核通过后寄回，维修周期约 7 个工作日，维修后寄回的运费由商家承担。",
                0.7124,
                "7450000000000000043",
                "帮助中心-申请维修",
                AFTER_SALES,
                "https://help.example.com/warranty/repair",
            ),
            "**申请维修**：在「我的订单」中提交维修申请并上传故障照片或视频，审核通过后寄回；"
            "维修约 7 个工作日，修好寄回的运费由商家承担。",
            "**Asking for a repair**: submit a repair request under **My orders** with a photo or video "
            "of the fault, then send the item in; repairs take about 7 working days and the seller pays "
            "for the way back.",
        ),
    ),
    "> 送修前请备份数据并取下个人配件。",
    "> Back up your data and remove personal accessories before sending an item in.",
    ("保修期内维修需要什么材料？", "哪些情况不在保修范围内？", "维修要多久？", "7 天无理由退货怎么申请？"),
    (
        "What do I need for a warranty repair?",
        "What does the warranty not cover?",
        "How long does a repair take?",
        "How do I return an item within 7 days?",
    ),
)

INVOICES = Topic(
    "invoices",
    ("发票", "开票", "抬头", "税号", "专票", "invoice", "receipt", "vat", "tax"),
    (
        Passage(
            _chunk(
                "开具发票：订单确认收货后，在「我的订单 → 申请开票」中填写抬头和税号，"
                "电子普通发票 1–3 个工作日内发送到邮箱。",
                0.8219,
                "7450000000000000051",
                "发票开具说明.pdf",
                FINANCE,
            ),
            "**怎么开**：确认收货后，在「我的订单 → 申请开票」中填写抬头和税号，电子普通发票 1–3 个工作日内发到邮箱。",
            "**How to get one**: after confirming delivery, fill in the title and tax number under "
            "**My orders → Request invoice**; the electronic invoice arrives by e-mail within 1–3 "
            "working days.",
        ),
        Passage(
            _chunk(
                "增值税专用发票：企业用户需提供营业执照、开户行及账号、注册地址和电话，审核后 5 个工作日内寄出纸质发票。"
                "发票可在开具后 180 天内申请换开一次。",
                0.7358,
                "7450000000000000052",
                "帮助中心-增值税专用发票",
                FINANCE,
                "https://help.example.com/invoices/vat",
            ),
            "**专用发票与换开**：企业开增值税专用发票需提供营业执照、开户行及账号、注册地址和电话，"
            "审核后 5 个工作日内寄出；开具后 180 天内可换开一次。",
            "**VAT invoices and corrections**: companies provide their business licence, bank and "
            "account, registered address and phone; the paper invoice is posted within 5 working days "
            "of approval. An invoice can be reissued once within 180 days.",
        ),
    ),
    "> 退货退款后，对应的发票会自动作废。",
    "> When an order is returned and refunded, its invoice is voided automatically.",
    ("怎么开发票？", "发票抬头写错了能换开吗？", "企业怎么开增值税专用发票？", "退款多久能到账？"),
    (
        "How do I get an invoice?",
        "Can I correct the title on an invoice?",
        "How does a company get a VAT invoice?",
        "How long does a refund take?",
    ),
)

ACCOUNT = Topic(
    "account",
    (
        "账号",
        "账户",
        "密码",
        "登录",
        "登陆",
        "注册",
        "手机号",
        "验证码",
        "注销",
        "account",
        "password",
        "log in",
        "login",
        "sign in",
        "sign-in",
        "username",
        "phone number",
        "verification code",
    ),
    (
        Passage(
            _chunk(
                "找回密码：在登录页点击「忘记密码」，输入注册手机号并填写短信验证码后即可设置新密码；"
                "连续输错 5 次密码，账号将锁定 30 分钟。",
                0.8371,
                "7450000000000000061",
                "账号与安全.pdf",
                ACCOUNT_HELP,
            ),
            "**忘记密码**：在登录页点「忘记密码」，输入注册手机号和短信验证码即可设置新密码；"
            "连续输错 5 次，账号会锁定 30 分钟。",
            "**Forgotten password**: tap **Forgot password** on the sign-in page, enter your phone "
            "number and the SMS code, then set a new password; after 5 wrong tries the account is "
            "locked for 30 minutes.",
        ),
        Passage(
            _chunk(
                "更换手机号：在「设置 → 账号与安全」中验证原手机号后绑定新号码；原号码已停用的，"
                "可提交身份证明申请人工换绑，1–3 个工作日内处理。",
                0.7486,
                "7450000000000000062",
                "帮助中心-更换手机号",
                ACCOUNT_HELP,
                "https://help.example.com/account/phone",
            ),
            "**更换手机号**：在「设置 → 账号与安全」中验证原号码后绑定新号码；原号码已停用的，"
            "可提交身份证明人工换绑，1–3 个工作日内处理。",
            "**Changing your phone number**: under **Settings → Account & security**, verify the old "
            "number and add the new one; if the old number no longer works, send proof of identity "
            "and support moves it within 1–3 working days.",
        ),
    ),
    "> 客服不会向你索要密码或验证码，请勿告诉他人。",
    "> Support never asks for your password or a verification code; keep them to yourself.",
    ("忘记密码怎么办？", "怎么更换绑定的手机号？", "账号被锁定了怎么办？", "怎么开发票？"),
    (
        "I forgot my password, what now?",
        "How do I change my phone number?",
        "My account is locked, what can I do?",
        "How do I get an invoice?",
    ),
)

TOPICS: tuple[Topic, ...] = (RETURNS, REFUNDS, SHIPPING, WARRANTY, INVOICES, ACCOUNT)
"""Every topic, in the order ties are broken."""

# What the bot offers when it has nothing on the question: one question from several topics.
OFF_TOPIC_FOLLOW_UPS_ZH = ("7 天无理由退货怎么申请？", "下单后多久发货？", "怎么开发票？")
OFF_TOPIC_FOLLOW_UPS_EN = (
    "How do I return an item within 7 days?",
    "How soon will my order ship?",
    "How do I get an invoice?",
)


def _mentions(text: str, keyword: str) -> bool:
    """Whether ``text`` (lower case) mentions ``keyword``: English at the start of a word."""
    if _LATIN.search(keyword):
        return re.search(r"(?<![a-z])" + re.escape(keyword), text) is not None
    return keyword in text


def match_topic(question: str) -> Topic | None:
    """The topic the question is about, or ``None`` when it mentions none of them."""
    text = question.lower()
    best, best_weight = None, 0
    for topic in TOPICS:
        weight = sum(len(keyword) for keyword in topic.keywords if _mentions(text, keyword))
        if weight > best_weight:
            best, best_weight = topic, weight
    return best


def same_question(a: str, b: str) -> bool:
    """Whether two questions are the same, ignoring case, spaces and punctuation."""
    return _NOT_WORD.sub("", a.casefold()) == _NOT_WORD.sub("", b.casefold())


def follow_ups_for(question: str, candidates: tuple[str, ...], count: int = 3) -> tuple[str, ...]:
    """The first ``count`` candidates that are not the question just asked."""
    return tuple(c for c in candidates if not same_question(c, question))[:count]
