package dev.dmengine.postgres;

import dev.dmengine.postgres.internal.Checks;
import dev.dmengine.postgres.internal.Db;
import dev.dmengine.spi.ConflictException;
import dev.dmengine.spi.InvalidInputException;
import dev.dmengine.spi.NotFoundException;
import dev.dmengine.spi.game.CharacterStore;
import dev.dmengine.spi.game.GameCharacter;
import dev.dmengine.spi.game.InventoryItem;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * {@link CharacterStore} on {@code game.characters} (sheet as {@code json}: the
 * text as written, syntax checked; optimistic version) and
 * {@code game.inventory_items} (one row per stack, rewritten in the same transaction as the
 * version-checked update, so the pair is never torn).
 */
public final class PostgresCharacterStore implements CharacterStore {

    private static final String COLUMNS =
            "id, owner_id, name, character_class, level, sheet::text AS sheet, version, created_at, updated_at";

    private final Db db;
    private final String table;
    private final String items;

    PostgresCharacterStore(Db db) {
        this.db = db;
        this.table = db.game() + ".characters";
        this.items = db.game() + ".inventory_items";
    }

    @Override
    public GameCharacter create(GameCharacter c) {
        check(c);
        return db.tx("create character", h -> {
            Row row = h.createQuery("INSERT INTO " + table + " (id, owner_id, name, character_class, level, sheet, "
                            + "version, created_at, updated_at) VALUES (:id, :owner, :name, :cls, :level, "
                            + "CAST(:sheet AS json), 1, :created, :updated) RETURNING " + COLUMNS)
                    .bind("id", c.id()).bind("owner", c.ownerId()).bind("name", c.name())
                    .bind("cls", c.characterClass()).bind("level", c.level()).bind("sheet", c.sheet())
                    .bind("created", Db.ts(c.createdAt())).bind("updated", Db.ts(c.updatedAt()))
                    .map((rs, ctx) -> row(rs)).one();
            writeItems(h, c.id(), c.inventory());
            return row.with(c.inventory());
        });
    }

    @Override
    public Optional<GameCharacter> get(UUID id) {
        // one statement (one snapshot, one round trip): the character joined with its items,
        // a row per item, or one row with no item; read on every turn, twice when the rules act
        return db.call("get character", h -> {
            Row[] character = new Row[1];
            List<InventoryItem> inventory = new ArrayList<>();
            h.createQuery("SELECT c.id, c.owner_id, c.name, c.character_class, c.level, c.sheet::text AS sheet, "
                            + "c.version, c.created_at, c.updated_at, i.item_id, i.name AS item_name, i.quantity, "
                            + "i.weight, i.equipped, i.tags FROM " + table + " c LEFT JOIN " + items
                            + " i ON i.character_id = c.id WHERE c.id = :id ORDER BY i.position")
                    .bind("id", id)
                    .map((rs, ctx) -> {
                        if (character[0] == null) {
                            character[0] = row(rs);
                        }
                        if (rs.getString("item_id") != null) {
                            inventory.add(item(rs, "item_name"));
                        }
                        return 0;
                    }).list();
            return Optional.ofNullable(character[0]).map(r -> r.with(List.copyOf(inventory)));
        });
    }

    @Override
    public List<GameCharacter> listByOwner(UUID ownerId) {
        return db.tx("list characters", h -> {
            List<Row> rows = h.createQuery("SELECT " + COLUMNS + " FROM " + table
                            + " WHERE owner_id = :owner ORDER BY created_at, id")
                    .bind("owner", ownerId).map((rs, ctx) -> row(rs)).list();
            Map<UUID, List<InventoryItem>> inv = readItems(h, rows.stream().map(r -> r.id).toList());
            return rows.stream().map(r -> r.with(inv.getOrDefault(r.id, List.of()))).toList();
        });
    }

    @Override
    public GameCharacter update(GameCharacter c) {
        check(c);
        return db.tx("update character", h -> {
            Optional<Row> row = h.createQuery("UPDATE " + table + " SET name = :name, character_class = :cls, "
                            + "level = :level, sheet = CAST(:sheet AS json), version = version + 1, updated_at = :updated "
                            + "WHERE id = :id AND version = :version RETURNING " + COLUMNS)
                    .bind("id", c.id()).bind("version", c.version()).bind("name", c.name())
                    .bind("cls", c.characterClass()).bind("level", c.level()).bind("sheet", c.sheet())
                    .bind("updated", Db.ts(c.updatedAt()))
                    .map((rs, ctx) -> row(rs)).findOne();
            if (row.isEmpty()) {
                Optional<Long> stored = h.createQuery("SELECT version FROM " + table + " WHERE id = :id")
                        .bind("id", c.id()).mapTo(Long.class).findOne();
                if (stored.isEmpty()) {
                    throw new NotFoundException("character", c.id());
                }
                throw new ConflictException("character " + c.id() + " was changed by someone else: stored version "
                        + stored.get() + ", update based on version " + c.version());
            }
            h.createUpdate("DELETE FROM " + items + " WHERE character_id = :id").bind("id", c.id()).execute();
            writeItems(h, c.id(), c.inventory());
            return row.get().with(c.inventory());
        });
    }

    @Override
    public boolean delete(UUID id) {
        return db.call("delete character", h -> h.createUpdate("DELETE FROM " + table + " WHERE id = :id")
                .bind("id", id).execute()) == 1;
    }

    private void check(GameCharacter c) {
        Checks.text("name", c.name(), 200);
        Checks.text("characterClass", c.characterClass(), 100);
        Checks.json("sheet", c.sheet(), db.maxJsonBytes());
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < c.inventory().size(); i++) {
            InventoryItem item = c.inventory().get(i);
            Checks.text("inventory[" + i + "].itemId", item.itemId(), 200);
            Checks.text("inventory[" + i + "].name", item.name(), 200);
            for (String tag : item.tags()) {
                Checks.text("inventory[" + i + "].tags", tag, 100);
            }
            if (!seen.add(item.itemId())) {
                throw new InvalidInputException("inventory[" + i + "].itemId", "duplicates item " + item.itemId());
            }
        }
    }

    private void writeItems(Handle h, UUID characterId, List<InventoryItem> inventory) {
        if (inventory.isEmpty()) {
            return;
        }
        PreparedBatch batch = h.prepareBatch("INSERT INTO " + items + " (character_id, item_id, position, name, "
                + "quantity, weight, equipped, tags) VALUES (:c, :item, :pos, :name, :qty, :weight, :equipped, :tags)");
        int pos = 0;
        for (InventoryItem item : inventory) {
            batch.bind("c", characterId).bind("item", item.itemId()).bind("pos", pos++).bind("name", item.name())
                    .bind("qty", item.quantity()).bind("weight", item.weight()).bind("equipped", item.equipped())
                    .bindArray("tags", String.class, item.tags().stream().sorted().toList())
                    .add();
        }
        batch.execute();
    }

    private Map<UUID, List<InventoryItem>> readItems(Handle h, List<UUID> characterIds) {
        Map<UUID, List<InventoryItem>> out = new LinkedHashMap<>();
        if (characterIds.isEmpty()) {
            return out;
        }
        h.createQuery("SELECT character_id, item_id, name, quantity, weight, equipped, tags FROM " + items
                        + " WHERE character_id = ANY(:ids) ORDER BY character_id, position")
                .bindArray("ids", UUID.class, characterIds)
                .map((rs, ctx) -> {
                    out.computeIfAbsent(Db.uuid(rs, "character_id"), k -> new ArrayList<>()).add(item(rs, "name"));
                    return 0;
                }).list();
        return out;
    }

    private static InventoryItem item(ResultSet rs, String nameColumn) throws SQLException {
        Array tags = rs.getArray("tags");
        Set<String> tagSet = Set.of((String[]) tags.getArray());
        return new InventoryItem(rs.getString("item_id"), rs.getString(nameColumn), rs.getInt("quantity"),
                rs.getDouble("weight"), rs.getBoolean("equipped"), tagSet);
    }

    private record Row(UUID id, UUID owner, String name, String cls, int level, String sheet, long version,
                       java.time.Instant created, java.time.Instant updated) {
        GameCharacter with(List<InventoryItem> inventory) {
            return new GameCharacter(id, owner, name, cls, level, sheet, inventory, version, created, updated);
        }
    }

    private static Row row(ResultSet rs) throws SQLException {
        return new Row(Db.uuid(rs, "id"), Db.uuid(rs, "owner_id"), rs.getString("name"),
                rs.getString("character_class"), rs.getInt("level"), rs.getString("sheet"), rs.getLong("version"),
                Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"));
    }
}
