from __future__ import annotations

import strawberry

from schema.base import Info, decode_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.privacy import service as privacy
from server.privacy.service import DataFile


@strawberry.type(name="PersonalDataFile", description="One file of your data download.")
class PersonalDataFileType:
    name: str
    media_type: str
    content: str


@strawberry.type(
    name="PersonalData",
    description="Everything you contributed, as the files of GET /me/export.zip.",
)
class PersonalDataType:
    download_path: str = strawberry.field(
        description="GET it with your session cookie or bearer token for one ZIP file."
    )
    files: list[PersonalDataFileType]

    @classmethod
    def of(cls, files: list[DataFile]) -> PersonalDataType:
        return cls(
            download_path="/me/export.zip",
            files=[
                PersonalDataFileType(name=f.name, media_type=f.media_type, content=f.content)
                for f in files
            ],
        )


async def my_data(info: Info) -> PersonalDataType:
    actor = info.context.require_actor()
    return PersonalDataType.of(await info.context.read(privacy.my_data, actor))


@strawberry.input(name="ErasePersonInput")
class ErasePersonInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Omit to erase yourself. Admins may erase others."
    )
    confirm: str = strawberry.field(description='Must be exactly "ERASE".')


@strawberry.type(name="ErasePersonPayload")
class ErasePersonPayload:
    erased: bool
    errors: list[UserError]


async def erase_person(info: Info, input: ErasePersonInput) -> ErasePersonPayload:
    """Erase a person: a nameless tombstone stays so their ballots still count."""
    result = await mutate(
        info,
        lambda session, actor: privacy.erase_person(
            session,
            actor,
            None if input.person_id is None else (decode_id(input.person_id, "Person") or -1),
            input.confirm,
        ),
    )
    if isinstance(result, Failed):
        return ErasePersonPayload(erased=False, errors=result.errors)
    return ErasePersonPayload(erased=True, errors=[])
