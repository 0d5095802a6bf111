"""The database tables. Importing this package registers every table on SQLModel.metadata."""

from server.models.auth import AuthToken, IdempotencyRecord, LoginCode
from server.models.case import CallRecord, Case, CaseCounter, Document
from server.models.complaint import Complaint
from server.models.dispatch import DispatchDecision, DispatchWeight
from server.models.event import ChainHead, Event
from server.models.org import Branch, County, Member, StaffUser
from server.models.signals import SignalRule
from server.models.sms import SmsMessage

__all__ = [
    "AuthToken",
    "Branch",
    "CallRecord",
    "Case",
    "CaseCounter",
    "ChainHead",
    "Complaint",
    "County",
    "DispatchDecision",
    "DispatchWeight",
    "Document",
    "Event",
    "IdempotencyRecord",
    "LoginCode",
    "Member",
    "SignalRule",
    "SmsMessage",
    "StaffUser",
]
