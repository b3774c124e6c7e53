/**
 * The rules engine: the engine owns the game state, the language model only proposes actions.
 *
 * <ul>
 *   <li>Character: {@link dev.dmengine.core.rules.CharacterSheet} (JSON via
 *       {@link dev.dmengine.core.rules.CharacterSheets}), SRD tables ({@link dev.dmengine.core.rules.Ability},
 *       {@link dev.dmengine.core.rules.Skill}, {@link dev.dmengine.core.rules.CharacterClass},
 *       {@link dev.dmengine.core.rules.Condition}, {@link dev.dmengine.core.rules.Progression}).</li>
 *   <li>Inventory: {@link dev.dmengine.core.rules.Inventory} over {@code List<InventoryItem>}.</li>
 *   <li>Dice: {@link dev.dmengine.core.rules.DiceExpression}, {@link dev.dmengine.core.rules.DiceRoller},
 *       {@link dev.dmengine.core.rules.RollRecord}; seeded from (session seed, counter), replayable.</li>
 *   <li>Rules: {@link dev.dmengine.core.rules.Rules} (rolls: checks, saves, attacks, death saves),
 *       {@link dev.dmengine.core.rules.Vitals} (damage, healing, conditions, XP),
 *       {@link dev.dmengine.core.rules.ConditionEffects}.</li>
 *   <li>State: {@link dev.dmengine.core.rules.GameState}, {@link dev.dmengine.core.rules.StateChange},
 *       {@link dev.dmengine.core.rules.StateChanges#replay}.</li>
 *   <li>Protocol: {@link dev.dmengine.core.rules.ActionProtocol}, {@link dev.dmengine.core.rules.ProposedAction},
 *       {@link dev.dmengine.core.rules.StreamingActionFilter}, {@link dev.dmengine.core.rules.RulesEngine},
 *       {@link dev.dmengine.core.rules.Resolution}. See {@code docs/dm-actions.md}.</li>
 * </ul>
 *
 * <p>Pure library: no I/O, no clock, no hidden randomness.
 */
package dev.dmengine.core.rules;
