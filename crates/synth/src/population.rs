//! The true population: who the victims were, before any list wrote them down.
//!
//! Each person is a handful of indexes into the name, place and day tables, plus a latent
//! *visibility* (how likely any list is to know of them). Names are drawn independently, so
//! no generated person is a real one. How lists capture and write a person is left to
//! `capture` and `render`.

use crate::days::Days;
use crate::names::Names;
use crate::places::{
    AFFILIATIONS, CITIES, EVIN, GOHARDASHT, PRISONS, PROVINCES, TEHRAN_PROVINCE, prisons_of,
};
use domain::sex::Sex;
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, StandardNormal};

/// Share of victims who were women.
const FEMALE_SHARE: f64 = 0.08;

/// One victim as they really were.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Person {
    /// Sex.
    pub sex: Sex,
    /// Index into the male or female given-name table, by sex.
    pub given: u16,
    /// Index into the surname table.
    pub surname: u16,
    /// Index into the male given-name table.
    pub father: u16,
    /// Day of birth (index into [`Days`]).
    pub birth: u32,
    /// Index into `CITIES`.
    pub city: u16,
    /// Index into `PRISONS`.
    pub prison: u16,
    /// Index into `AFFILIATIONS`.
    pub affiliation: u16,
    /// Day of arrest.
    pub arrest: u32,
    /// Day of execution, in Mordad or Shahrivar 1367.
    pub execution: u32,
    /// Latent visibility, standard normal: how much more likely than others to be on a list.
    pub visibility: f64,
}

/// Everything about the population that is fixed for a run: tables and the execution days of
/// each prison.
#[derive(Debug, Clone)]
pub(crate) struct World {
    /// Name tables.
    pub names: Names,
    /// Day table.
    pub days: Days,
    city_cumulative: Vec<f64>,
    affiliation_cumulative: Vec<f64>,
    /// For each province, the prisons that held its prisoners.
    province_prisons: Vec<Vec<usize>>,
    /// For each prison, the days on which it executed prisoners: first wave, then second.
    batches: Vec<(Vec<u32>, Vec<u32>)>,
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

fn pick(cumulative: &[f64], uniform: f64) -> usize {
    let total = cumulative.last().copied().unwrap_or(1.0);
    cumulative
        .partition_point(|c| *c <= uniform * total)
        .min(cumulative.len().saturating_sub(1))
}

impl World {
    /// Builds the tables and draws each prison's execution days from `rng`.
    pub fn build(names: Names, days: Days, rng: &mut Xoshiro256PlusPlus) -> World {
        let batches = PRISONS
            .iter()
            .map(|_| {
                // First wave (mostly Mojahedin): from 6 Mordad to 10 Shahrivar 1367.
                let first = (0..8)
                    .map(|_| days.index_of(1367, 5, 6) + rng.random_range(0..36))
                    .collect();
                // Second wave (leftists): from 5 to 30 Shahrivar 1367.
                let second = (0..5)
                    .map(|_| days.index_of(1367, 6, 5) + rng.random_range(0..26))
                    .collect();
                (first, second)
            })
            .collect();
        World {
            names,
            days,
            city_cumulative: cumulative(CITIES.iter().map(|c| c.weight)),
            affiliation_cumulative: cumulative(AFFILIATIONS.iter().map(|a| a.weight)),
            province_prisons: (0..PROVINCES.len())
                .map(|province| prisons_of(province).collect())
                .collect(),
            batches,
        }
    }

    /// Draws one person.
    pub fn person(&self, rng: &mut Xoshiro256PlusPlus) -> Person {
        let sex = if rng.random_bool(FEMALE_SHARE) {
            Sex::Female
        } else {
            Sex::Male
        };
        let given = match sex {
            Sex::Male => self.names.male.pick(rng.random()),
            Sex::Female => self.names.female.pick(rng.random()),
        };
        let surname = self.names.surnames.pick(rng.random());
        let father = self.names.male.pick(rng.random());
        let city = pick(&self.city_cumulative, rng.random());
        let prison = self.prison_for(CITIES[city].province, rng);
        let affiliation = pick(&self.affiliation_cumulative, rng.random());
        let execution = self.execution_day(prison, affiliation, rng);
        let visibility: f64 = StandardNormal.sample(rng);
        Person {
            sex,
            given,
            surname,
            father,
            birth: self.birth_day(rng),
            city: city as u16,
            prison: prison as u16,
            affiliation: affiliation as u16,
            arrest: self.arrest_day(execution, rng),
            execution,
            visibility,
        }
    }

    /// Mostly the province's own prison; Tehran's prisoners split between Evin and
    /// Gohardasht; one in six provincial prisoners was moved to Tehran.
    fn prison_for(&self, province: usize, rng: &mut Xoshiro256PlusPlus) -> usize {
        if province == TEHRAN_PROVINCE || rng.random_bool(1.0 / 6.0) {
            return match rng.random_range(0..20) {
                0..=8 => EVIN,
                9..=17 => GOHARDASHT,
                _ => 2,
            };
        }
        let local = &self.province_prisons[province];
        local
            .get(rng.random_range(0..local.len().max(1)))
            .copied()
            .unwrap_or(EVIN)
    }

    /// Born mostly 1330–1350 SH (a normal around 1341), any day of the year.
    fn birth_day(&self, rng: &mut Xoshiro256PlusPlus) -> u32 {
        let offset: f64 = StandardNormal.sample(rng);
        let year = (1341.0 + 5.0 * offset).round().clamp(1315.0, 1352.0) as i32;
        self.days.year_start(year) + rng.random_range(0..365)
    }

    /// Arrested from Khordad 1360 on, most in the first two years of the crackdown, always
    /// before the execution.
    fn arrest_day(&self, execution: u32, rng: &mut Xoshiro256PlusPlus) -> u32 {
        let year = match rng.random_range(0..100) {
            0..=34 => 1360,
            35..=59 => 1361,
            60..=71 => 1362,
            72..=91 => rng.random_range(1363..=1366),
            _ => 1367,
        };
        let start = if year == 1360 {
            self.days.index_of(1360, 3, 30)
        } else {
            self.days.year_start(year)
        };
        let day = start + rng.random_range(0..300);
        day.min(execution.saturating_sub(20))
    }

    /// One of the prison's execution days, of the wave the affiliation belongs to.
    fn execution_day(
        &self,
        prison: usize,
        affiliation: usize,
        rng: &mut Xoshiro256PlusPlus,
    ) -> u32 {
        let (first, second) = &self.batches[prison];
        let wave = if AFFILIATIONS[affiliation].is_leftist {
            second
        } else {
            first
        };
        wave[rng.random_range(0..wave.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SynthError;
    use rand::SeedableRng;

    fn world() -> Result<World, SynthError> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        Ok(World::build(Names::build(), Days::build()?, &mut rng))
    }

    #[test]
    fn every_execution_falls_in_mordad_or_shahrivar_1367() -> Result<(), SynthError> {
        let world = world()?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..5_000 {
            let person = world.person(&mut rng);
            let day = world.days.get(person.execution).jalali;
            assert_eq!(day.year, 1367);
            assert!((5..=6).contains(&day.month), "{day:?}");
            assert!(person.arrest < person.execution);
            let arrested = world.days.get(person.arrest).jalali.year;
            assert!((1360..=1367).contains(&arrested), "{arrested}");
        }
        Ok(())
    }

    #[test]
    fn most_victims_are_men_born_between_1330_and_1350() -> Result<(), SynthError> {
        let world = world()?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(2);
        let people: Vec<Person> = (0..10_000).map(|_| world.person(&mut rng)).collect();
        let men = people.iter().filter(|p| p.sex == Sex::Male).count();
        let in_range = people
            .iter()
            .filter(|p| (1330..=1350).contains(&world.days.get(p.birth).jalali.year))
            .count();
        assert!(men > 8_800 && men < 9_600, "{men}");
        assert!(in_range > 8_500, "{in_range}");
        Ok(())
    }
}
