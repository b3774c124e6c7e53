package dev.dmengine.redis;

import dev.dmengine.spi.infra.EventBus;
import dev.dmengine.testkit.EventBusContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

class RedisEventBusContractIT extends EventBusContract {

    private static final String PREFIX = RedisTest.randomPrefix("bus-contract");
    private final List<RedisAdapters> opened = new ArrayList<>();

    @Override
    protected EventBus newBus() {
        RedisAdapters redis = RedisTest.builder(PREFIX).eventRetention(2_000).build();
        opened.add(redis);
        return redis.eventBus();
    }

    @AfterEach
    void closeAdapters() {
        opened.forEach(RedisAdapters::close);
    }

    @AfterAll
    static void deleteKeys() {
        RedisTest.deleteKeys(PREFIX);
    }
}
