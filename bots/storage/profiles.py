"""Profiles (the person behind linked accounts) and one-time link codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bots.storage.base import StorageBase
from bots.storage.one_time_tokens import find_token, prune_tokens, store_token
from bots.storage.records import LinkOutcome, Profile
from bots.storage.tables import LinkCodeRow, MemberRow, ProfileRow


class ProfileQueries(StorageBase):
    """Reads and changes profiles, and links accounts with codes."""

    async def _profile_of(self, session: AsyncSession, member: MemberRow) -> Profile:
        if member.profile_id is None:
            return Profile(None, True, "chat", (member.id,), (member.platform,))
        row = await session.get(ProfileRow, member.profile_id)
        assert row is not None
        linked = (
            await session.execute(
                select(MemberRow.id, MemberRow.platform)
                .where(MemberRow.profile_id == row.id)
                .order_by(MemberRow.id)
            )
        ).all()
        return Profile(
            row.id,
            row.twin_active,
            row.twin_scope,
            tuple(m for m, _ in linked),
            tuple(p for _, p in linked),
            row.twin_mode,
            row.twin_paused_until,
        )

    async def _ensure_profile(self, session: AsyncSession, member: MemberRow) -> ProfileRow:
        if member.profile_id is not None:
            row = await session.get(ProfileRow, member.profile_id)
            assert row is not None
            return row
        row = ProfileRow(twin_active=True, twin_scope="chat")
        session.add(row)
        await session.flush()
        member.profile_id = row.id
        return row

    async def _drop_unused_profile(self, session: AsyncSession, profile_id: int) -> None:
        users = await session.scalar(
            select(func.count()).select_from(MemberRow).where(MemberRow.profile_id == profile_id)
        )
        if not users:
            await session.execute(delete(ProfileRow).where(ProfileRow.id == profile_id))

    async def profile(self, member_id: int) -> Profile:
        """The profile of a member (a profile of one account if never linked)."""
        async with self._sessions() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            return await self._profile_of(session, member)

    async def update_profile(
        self,
        member_id: int,
        *,
        twin_active: bool | None = None,
        twin_scope: str | None = None,
        twin_mode: str | None = None,
        pause_until: datetime | None = None,
        resume: bool = False,
    ) -> Profile:
        """Change twin settings for the member and every account linked to it.

        ``pause_until`` pauses the twin until then; ``resume`` lifts a pause.
        """
        if twin_scope is not None and twin_scope not in ("chat", "all"):
            raise ValueError("twin scope is 'chat' or 'all'")
        if twin_mode is not None and twin_mode not in ("auto", "draft"):
            raise ValueError("twin mode is 'auto' or 'draft'")
        async with self._sessions.begin() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            row = await self._ensure_profile(session, member)
            if twin_active is not None:
                row.twin_active = twin_active
            if twin_scope is not None:
                row.twin_scope = twin_scope
            if twin_mode is not None:
                row.twin_mode = twin_mode
            if pause_until is not None:
                row.twin_paused_until = pause_until
            if resume:
                row.twin_paused_until = None
            await session.flush()
            return await self._profile_of(session, member)

    async def prune_link_codes(self, now: datetime) -> int:
        """Delete link codes that expired; how many went."""
        async with self._sessions.begin() as session:
            return await prune_tokens(session, LinkCodeRow, now)

    async def create_link_code(self, member_id: int, code_hash: str, expires_at: datetime) -> None:
        """Store a new link code for the member, replacing any earlier unused one."""
        async with self._sessions.begin() as session:
            await store_token(session, LinkCodeRow, member_id, code_hash, expires_at)

    async def redeem_link_code(
        self, code_hash: str, member_id: int, now: datetime
    ) -> tuple[LinkOutcome, Profile | None]:
        """Link ``member_id`` to the code's requester, once, before the code expires.

        The redeeming account joins the requester's profile, bringing any accounts
        it was already linked to; the requester's settings win.
        """
        async with self._sessions.begin() as session:
            state, code = await find_token(session, LinkCodeRow, code_hash, now)
            if code is None:
                return LinkOutcome[state.name], None
            if code.member_id == member_id:
                return LinkOutcome.SAME_ACCOUNT, None
            code.used_at = now
            requester = await session.get(MemberRow, code.member_id)
            joiner = await session.get(MemberRow, member_id)
            assert requester is not None and joiner is not None
            target = await self._ensure_profile(session, requester)
            old_profile = joiner.profile_id
            if old_profile is not None and old_profile != target.id:
                await session.execute(
                    update(MemberRow)
                    .where(MemberRow.profile_id == old_profile)
                    .values(profile_id=target.id)
                )
                await session.execute(delete(ProfileRow).where(ProfileRow.id == old_profile))
            joiner.profile_id = target.id
            await session.flush()
            await session.refresh(requester)
            return LinkOutcome.LINKED, await self._profile_of(session, requester)

    async def unlink(self, member_id: int) -> Profile:
        """Detach the member from its linked accounts; it keeps a copy of the settings."""
        async with self._sessions.begin() as session:
            member = await session.get(MemberRow, member_id)
            if member is None:
                raise LookupError(f"no member {member_id}")
            current = await self._ensure_profile(session, member)
            fresh = ProfileRow(
                twin_active=current.twin_active, twin_scope="chat", twin_mode=current.twin_mode
            )
            session.add(fresh)
            await session.flush()
            member.profile_id = fresh.id
            await session.flush()
            return await self._profile_of(session, member)
