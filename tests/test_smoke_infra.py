from tests.support import Api, World


async def test_viewer_is_the_token_holder(api: Api) -> None:
    world = await World(api).build()
    data = await api.data("{ viewer { id displayName } }", as_=world.resident)
    assert data["viewer"] == {"id": world.resident.id, "displayName": "Rita Resident"}
