package bench.bare;

import jakarta.persistence.Entity;

import io.quarkus.hibernate.orm.panache.PanacheEntity;

/**
 * The persistence comparator's one entity (bench/bare, profile "persistence"): enough for Hibernate ORM to build a
 * persistence unit at every start, as Latchkey's does. Never queried; its table need not exist.
 */
@Entity
public class Greeting extends PanacheEntity {

    public String text;
}
