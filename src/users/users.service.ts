import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Role } from '../common/auth/principal';
import { DomainError, notFound } from '../common/errors/domain-error';
import { User } from './user.entity';
import { isUniqueViolation } from '../database/pg-errors';

export interface NewUser {
  email: string;
  displayName: string;
  role: Role;
  passwordHash: string | null;
  partnerId?: string | null;
  externalId?: string | null;
}


@Injectable()
export class UsersService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  findById(id: string, em: EntityManager = this.ds.manager): Promise<User | null> {
    return em.getRepository(User).findOneBy({ id });
  }

  /** `email` must already be normalised (see normalizeEmail). */
  findByEmail(email: string, em: EntityManager = this.ds.manager): Promise<User | null> {
    return em.getRepository(User).findOneBy({ email });
  }

  async getById(id: string): Promise<User> {
    const user = await this.findById(id);
    if (!user) throw notFound('User');
    return user;
  }

  /**
   * Inserts a user; the unique index on email decides races, so of two concurrent sign-ups
   * with one address exactly one succeeds and the other gets 409 `email_taken`.
   */
  async create(em: EntityManager, fields: NewUser): Promise<User> {
    try {
      const repo = em.getRepository(User);
      return await repo.save(repo.create({ ...fields, partnerId: fields.partnerId ?? null, externalId: fields.externalId ?? null }));
    } catch (err) {
      if (isUniqueViolation(err, 'UQ_users_email')) {
        throw new DomainError('email_taken', 'An account with this email already exists.', 'email');
      }
      throw err;
    }
  }
}
