"""The domain's closed vocabularies, each value with its Chinese label.

Values are stable English codes (stored in the database and sent over the
API); labels are what users read.
"""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a Chinese label."""

    @property
    def label(self) -> str:
        """The Chinese name shown to users."""
        return _LABELS[type(self)][self.value]


class VehicleCategory(LabelledEnum):
    MOTORCYCLE = "motorcycle"
    OPERATING_TRUCK = "operating_truck"
    NONOPERATING_TRUCK = "nonoperating_truck"
    SPECIAL = "special"
    OPERATING_BUS = "operating_bus"
    TRACTOR = "tractor"

    @property
    def online(self) -> bool:
        """Whether citizens may apply for this category themselves (motorcycles only)."""
        return self is VehicleCategory.MOTORCYCLE


class BusinessType(LabelledEnum):
    NEW = "new"
    RENEWAL = "renewal"


class Channel(LabelledEnum):
    ONLINE = "online"
    COUNTER = "counter"


class CaseStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ASSIGNED = "assigned"
    REVIEWING = "reviewing"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    ESCALATED = "escalated"
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    OFFLINE = "offline"
    COMPLETED = "completed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"

    @property
    def is_open(self) -> bool:
        """Submitted and not yet finished one way or another."""
        return self in OPEN_STATUSES


OPEN_STATUSES: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.SUBMITTED,
        CaseStatus.ASSIGNED,
        CaseStatus.REVIEWING,
        CaseStatus.SUPPLEMENT_REQUESTED,
        CaseStatus.ESCALATED,
        CaseStatus.AWAITING_PAYMENT,
        CaseStatus.PAID,
        CaseStatus.OFFLINE,
    }
)
FINISHED_STATUSES: frozenset[CaseStatus] = frozenset({CaseStatus.COMPLETED, CaseStatus.REJECTED, CaseStatus.CANCELLED})


class Role(LabelledEnum):
    CITIZEN = "citizen"
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


STAFF_ROLES: frozenset[Role] = frozenset({Role.CLERK, Role.SUPERVISOR, Role.COORDINATOR})


class DocumentKind(LabelledEnum):
    ID_FRONT = "id_front"
    ID_BACK = "id_back"
    CERTIFICATE_OF_CONFORMITY = "certificate_of_conformity"
    PURCHASE_INVOICE = "purchase_invoice"
    VEHICLE_LICENSE = "vehicle_license"
    OTHER = "other"
    E_POLICY = "e_policy"

    @property
    def holds_id_data(self) -> bool:
        """ID card images: their processing needs the applicant's separate consent."""
        return self in (DocumentKind.ID_FRONT, DocumentKind.ID_BACK)


class CallOutcome(LabelledEnum):
    CONNECTED = "connected"
    NO_ANSWER = "no_answer"
    DECLINED = "declined"
    BUSY = "busy"
    POWERED_OFF = "powered_off"
    INVALID_NUMBER = "invalid_number"


class Action(LabelledEnum):
    """Everything that can happen to a case or to the pool's settings; each one writes one event.

    The last group changes no case (the event has no case id): the
    coordinator's changes to windows, accounts and warning rules, kept in the
    same audit chain so that who changed what is traceable.
    """

    CREATE = "create"
    UPLOAD_DOCUMENT = "upload_document"
    SUBMIT = "submit"
    DISPATCH = "dispatch"
    ACCEPT = "accept"
    REQUEST_SUPPLEMENT = "request_supplement"
    SUPPLEMENT = "supplement"
    ESCALATE = "escalate"
    DECIDE = "decide"
    APPROVE = "approve"
    RECORD_PAYMENT = "record_payment"
    ISSUE_POLICY = "issue_policy"
    MOVE_OFFLINE = "move_offline"
    REJECT = "reject"
    CANCEL = "cancel"
    REASSIGN = "reassign"
    CALL = "call"
    NOTE = "note"
    REVEAL_ID = "reveal_id"
    RATE = "rate"
    COMPLAIN = "complain"
    SET_BRANCH = "set_branch"
    ADD_USER = "add_user"
    RESET_PASSWORD = "reset_password"
    DEACTIVATE_USER = "deactivate_user"
    REACTIVATE_USER = "reactivate_user"
    SET_SIGNAL_RULE = "set_signal_rule"


_LABELS: dict[type[LabelledEnum], dict[str, str]] = {
    VehicleCategory: {
        "motorcycle": "摩托车(含电动摩托车)",
        "operating_truck": "营运货车",
        "nonoperating_truck": "非营业货车",
        "special": "特种车",
        "operating_bus": "营运客车",
        "tractor": "拖拉机",
    },
    BusinessType: {"new": "新车投保", "renewal": "非新车投保"},
    Channel: {"online": "线上申请", "counter": "窗口受理"},
    CaseStatus: {
        "draft": "草稿",
        "submitted": "待分派",
        "assigned": "待受理",
        "reviewing": "审核中",
        "supplement_requested": "待补充材料",
        "escalated": "待上级审批",
        "awaiting_payment": "待缴费",
        "paid": "已缴费",
        "offline": "转线下",
        "completed": "已办结",
        "rejected": "已退回",
        "cancelled": "已撤销",
    },
    Role: {
        "citizen": "申请人",
        "clerk": "窗口经办",
        "supervisor": "上级审批",
        "coordinator": "市级协调员",
        "system": "系统",
    },
    DocumentKind: {
        "id_front": "身份证人像面",
        "id_back": "身份证国徽面",
        "certificate_of_conformity": "机动车整车出厂合格证",
        "purchase_invoice": "机动车销售统一发票",
        "vehicle_license": "机动车行驶证",
        "other": "其他材料",
        "e_policy": "电子保单",
    },
    CallOutcome: {
        "connected": "接通",
        "no_answer": "未接",
        "declined": "拒接",
        "busy": "占线",
        "powered_off": "关机",
        "invalid_number": "空号",
    },
    Action: {
        "create": "创建申请",
        "upload_document": "上传材料",
        "submit": "提交申请",
        "dispatch": "系统分派",
        "accept": "受理",
        "request_supplement": "要求补充材料",
        "supplement": "补充材料",
        "escalate": "提交上级审批",
        "decide": "上级审批通过",
        "approve": "审核通过,发送缴费链接",
        "record_payment": "确认缴费",
        "issue_policy": "出具电子保单",
        "move_offline": "转线下办理",
        "reject": "退回",
        "cancel": "撤销申请",
        "reassign": "改派",
        "call": "电话联系",
        "note": "备注",
        "reveal_id": "查看完整身份证号",
        "rate": "申请人评价",
        "complain": "申请人投诉",
        "set_branch": "调整窗口分派设置",
        "add_user": "新增账号",
        "reset_password": "重置密码",
        "deactivate_user": "停用账号",
        "reactivate_user": "启用账号",
        "set_signal_rule": "调整中介预警规则",
    },
}
